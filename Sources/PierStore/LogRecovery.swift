import Logging

/// Opening a log directory: validate every batch of every segment, cut a torn tail, refuse (or
/// with `repair`, cut away) damage anywhere else, and reconcile each index with its log.
enum LogRecovery {
    static func recover(directory: String, options: SegmentLogOptions) throws(StoreError) -> (segments: [Segment], report: RecoveryReport) {
        let started = WallClock.monotonicNanoseconds()
        try FileSystem.createDirectory(directory)
        let names = try FileSystem.list(directory)
        let bases = names.compactMap(Segment.baseOffset(fromLogName:)).sorted()
        for name in names where name.hasSuffix(".tmp") {
            // Leftovers of an atomic write that never reached its rename.
            try FileSystem.remove(FileSystem.join(directory, name))
        }
        for name in names where name.hasSuffix(".index") {
            let base = UInt64(name.dropLast(6))
            if base == nil || !bases.contains(base!) { try FileSystem.remove(FileSystem.join(directory, name)) }
        }

        var files: [(base: UInt64, file: StoreFile, size: Int64)] = []
        for base in bases {
            let file = try StoreFile.openForWriting(FileSystem.join(directory, Segment.logName(base)), create: false)
            files.append((base, file, try file.size()))
        }
        let totalBytes = files.reduce(Int64(0)) { $0 + $1.size }
        var report = RecoveryReport()
        var segments: [Segment] = []
        var scannedBefore: Int64 = 0
        var expectedNext: UInt64?
        var i = 0
        while i < files.count {
            let (base, file, size) = files[i]
            let name = Segment.logName(base)
            let isLast = i == files.count - 1
            if let expected = expectedNext, base != expected {
                let reason = "segment starts at offset \(base) but the previous segment ends at offset \(expected)"
                guard options.repair else { throw .corruption(segment: name, position: 0, reason: reason) }
                try drop(files[i...].map(\.base), directory: directory, reason: reason, report: &report)
                break
            }
            var scanner = SegmentScanner(source: FileByteSource(file: file, size: size))
            let progress = options.onRecoveryProgress
            let segmentIndex = i
            let before = scannedBefore
            let scan = try scanner.scan(
                baseOffset: base, indexInterval: options.indexIntervalBytes,
                onProgress: { bytes in
                    options.logger.info("recovering \(name): \(before + bytes) of \(totalBytes) bytes")
                    progress?(RecoveryProgress(
                        segment: name, segmentIndex: segmentIndex, segmentCount: files.count,
                        bytesScanned: before + bytes, totalBytes: totalBytes))
                },
                progressInterval: options.progressIntervalBytes)
            var stopAfterThis = false
            if let failure = scan.failure {
                let action: RecoveryReport.Action
                if isLast && failure.tornTail {
                    action = .truncatedTornTail
                } else if options.repair {
                    action = .truncatedCorruption
                    stopAfterThis = true
                } else {
                    throw .corruption(segment: name, position: failure.position, reason: failure.reason)
                }
                try file.truncate(to: failure.position)
                try file.sync()
                report.truncations.append(.init(
                    segment: name, position: failure.position, bytesDropped: size - failure.position,
                    reason: failure.reason, action: action))
                options.logger.warning(
                    "\(name): truncated \(size - failure.position) bytes at byte \(failure.position): \(failure.reason)")
            }
            let willBeLast = isLast || stopAfterThis
            let (indexFile, rebuilt) = try reconcileIndex(
                directory: directory, base: base, expected: scan.index.entries, keepOpen: willBeLast)
            if rebuilt { report.rebuiltIndexes.append(Segment.indexName(base)) }
            segments.append(Segment(
                directory: directory, file: file, scan: scan, indexFile: indexFile,
                indexFileEntries: scan.index.entries.count))
            report.batches += scan.batches
            report.records += scan.records
            report.bytes += scan.validSize
            scannedBefore += size
            expectedNext = scan.nextOffset
            if stopAfterThis {
                try drop(files[(i + 1)...].map(\.base), directory: directory,
                         reason: "follows repaired damage in \(name)", report: &report)
                break
            }
            i += 1
        }
        if segments.isEmpty {
            segments.append(try Segment.create(directory: directory, base: 0, indexInterval: options.indexIntervalBytes))
        }
        report.segments = segments.count
        report.durationNanoseconds = WallClock.monotonicNanoseconds() - started
        return (segments, report)
    }

    private static func drop(
        _ bases: [UInt64], directory: String, reason: String, report: inout RecoveryReport
    ) throws(StoreError) {
        for base in bases {
            let path = FileSystem.join(directory, Segment.logName(base))
            let size = (try? StoreFile.openForReading(path).size()) ?? 0
            try FileSystem.remove(path)
            try FileSystem.remove(FileSystem.join(directory, Segment.indexName(base)))
            report.truncations.append(.init(
                segment: Segment.logName(base), position: 0, bytesDropped: size, reason: reason, action: .droppedSegment))
        }
        if !bases.isEmpty { try FileSystem.syncDirectory(directory) }
    }

    /// Rewrites the index file unless it holds exactly the entries the scan derived.
    private static func reconcileIndex(
        directory: String, base: UInt64, expected: [IndexEntry], keepOpen: Bool
    ) throws(StoreError) -> (StoreFile?, rebuilt: Bool) {
        let path = FileSystem.join(directory, Segment.indexName(base))
        let file = try StoreFile.openForWriting(path, create: true)
        let bytes = try file.readAll()
        let (entries, trailing) = SegmentIndex.parse(bytes)
        let rebuilt = trailing != 0 || entries != expected
        if rebuilt {
            try file.truncate(to: 0)
            try file.write(SegmentIndex.serialize(expected), at: 0)
        }
        return (keepOpen ? file : nil, rebuilt)
    }
}
