import XCTest

@testable import PierHA

final class SharedStorageCheckTests: XCTestCase {
    let table = """
        /dev/vda / ext4 rw,relatime 0 0
        fs-1.efs.eu-west-1.amazonaws.com:/ /mnt/pier nfs4 rw,relatime,vers=4.1,rsize=1048576,hard,proto=tcp,timeo=600 0 0
        nas:/export /mnt/old nfs rw,vers=3,nolock,soft 0 0
        /dev/sdb1 /mnt/with\\040space ocfs2 rw 0 0
        """

    func testFindsTheLongestMountPointHoldingThePath() {
        XCTAssertEqual(SharedStorageCheck.Mount.containing("/mnt/pier/data", in: table)?.type, "nfs4")
        XCTAssertEqual(SharedStorageCheck.Mount.containing("/mnt/pierx", in: table)?.point, "/")
        XCTAssertEqual(SharedStorageCheck.Mount.containing("/mnt/with space/d", in: table)?.type, "ocfs2")
    }

    func testAnNFSv41HardMountWithLocksIsFine() {
        let m = SharedStorageCheck.Mount.containing("/mnt/pier/data", in: table)!
        XCTAssertEqual(SharedStorageCheck.warnings(forMount: m), [])
        XCTAssertEqual(SharedStorageCheck.warnings(forMount: SharedStorageCheck.Mount.containing("/var/lib/pier", in: table)!), [])
    }

    func testWarnsAboutEachKnownTrap() {
        let old = SharedStorageCheck.warnings(forMount: SharedStorageCheck.Mount.containing("/mnt/old/data", in: table)!)
        XCTAssertEqual(old.count, 3, "\(old)")
        XCTAssertTrue(old[0].contains("NFSv3"))
        XCTAssertTrue(old[1].contains("nolock"))
        XCTAssertTrue(old[2].contains("soft"))
        let cluster = SharedStorageCheck.warnings(forMount: SharedStorageCheck.Mount.containing("/mnt/with space", in: table)!)
        XCTAssertTrue(cluster.first?.contains("AMQ-4378") ?? false)
    }

    func testThisMachinesDataDirectoryIsReadable() throws {
        // Whatever /tmp is here, reading the real mount table must not fail or warn about a local disk.
        let dir = try makeDataDirectory()
        XCTAssertEqual(SharedStorageCheck.warnings(forDirectory: dir).filter { $0.contains("ext4") }, [])
    }
}
