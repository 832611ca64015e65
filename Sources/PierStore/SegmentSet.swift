import NIOConcurrencyHelpers

/// The ordered list of a log's segments, shared by the writer (which rolls), readers (which
/// walk it) and retention (which trims its front). The last segment is the active one.
final class SegmentSet: Sendable {
    private let box: NIOLockedValueBox<[Segment]>

    init(_ segments: [Segment]) {
        precondition(!segments.isEmpty)
        box = NIOLockedValueBox(segments)
    }

    var all: [Segment] { box.withLockedValue { $0 } }
    var active: Segment { box.withLockedValue { $0[$0.count - 1] } }
    var startOffset: UInt64 { box.withLockedValue { $0[0].baseOffset } }
    var endOffset: UInt64 { box.withLockedValue { $0[$0.count - 1] }.committedExtent().nextOffset }

    func append(_ segment: Segment) {
        box.withLockedValue { $0.append(segment) }
    }

    /// The segment that holds (or will hold) `offset`: the last one whose base is at or below it.
    func segment(containing offset: UInt64) -> Segment? {
        box.withLockedValue { list in
            var lo = 0
            var hi = list.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if list[mid].baseOffset <= offset { lo = mid + 1 } else { hi = mid }
            }
            return lo == 0 ? nil : list[lo - 1]
        }
    }

    func segment(after segment: Segment) -> Segment? {
        box.withLockedValue { list in
            guard let i = list.firstIndex(where: { $0 === segment }), i + 1 < list.count else { return nil }
            return list[i + 1]
        }
    }

    /// Removes the leading segments whose every record is below `floor`, never the active one.
    func removeWhollyBelow(_ floor: UInt64) -> [Segment] {
        box.withLockedValue { list in
            var removed: [Segment] = []
            while list.count > 1, list[1].baseOffset <= floor {
                removed.append(list.removeFirst())
            }
            return removed
        }
    }
}
