import PierMetrics
import XCTest

final class MetricsSnapshotTests: XCTestCase {
    func testParsesNamesLabelsAndValuesOfTheTextFormat() {
        let text = """
        # TYPE pier_queue_depth gauge
        pier_queue_depth{queue="orders"} 3
        pier_queue_depth{queue="a \\"quoted\\", odd\\\\name"} 4
        pier_clients_connected 2
        pier_fsync_seconds_bucket{le="+Inf"} 7
        pier_ratio NaN
        pier_float 1.5e3

        """
        let m = MetricsSnapshot(exposition: Array(text.utf8))
        XCTAssertEqual(m.value("pier_queue_depth", ["queue": "orders"]), 3)
        XCTAssertEqual(m.value("pier_queue_depth", ["queue": #"a "quoted", odd\name"#]), 4)
        XCTAssertEqual(m.value("pier_clients_connected"), 2)
        XCTAssertEqual(m.value("pier_fsync_seconds_bucket", ["le": "+Inf"]), 7)
        XCTAssertEqual(m.value("pier_float"), 1500)
        XCTAssertTrue(m.value("pier_ratio")?.isNaN == true)
        XCTAssertEqual(m.sum("pier_queue_depth"), 7)
        XCTAssertEqual(m.count("pier_queue_depth", matching: ["queue": "orders"]), 3)
        XCTAssertNil(m.value("pier_queue_depth"), "a labelled series is not the unlabelled one")
        XCTAssertEqual(m.sum("pier_missing"), 0)
    }

    func testSkipsLinesThatAreNotSamples() {
        let m = MetricsSnapshot(exposition: Array("# HELP x y\nbroken{a=\"1\" 2\nnovalue\nok 1\n".utf8))
        XCTAssertEqual(m.samples.map(\.name), ["ok"])
    }
}
