import XCTest
@testable import PierClient

final class AdminTableTests: XCTestCase {
    func testColumnsAlignNumbersRightAndLinesHaveNoTrailingBlanks() {
        var t = AdminTable(["NAME", "DEPTH", "NOTE"], numeric: [1])
        t.append(["orders", "3", "x"])
        t.append(["a", "1200", ""])
        XCTAssertEqual(t.text, "NAME    DEPTH  NOTE\norders      3  x\na        1200\n")
    }

    func testABodyWithLineBreaksStaysOnOneLine() {
        XCTAssertEqual(AdminTable.oneLine("a\r\nb\tc"), #"a\r\nb\tc"#)
    }
}
