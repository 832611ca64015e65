/// One composed YAML node: what libyaml parsed, with aliases already replaced by the node they name.
///
/// Marks are 1-based, as error messages show them.
public indirect enum YAMLNode: Sendable {
    case scalar(YAMLScalar)
    case sequence([YAMLNode], YAMLMark)
    case mapping([YAMLPair], YAMLMark)

    public var mark: YAMLMark {
        switch self {
        case let .scalar(scalar): scalar.mark
        case let .sequence(_, mark), let .mapping(_, mark): mark
        }
    }

    public var scalar: YAMLScalar? {
        if case let .scalar(scalar) = self { return scalar }
        return nil
    }

    /// The pairs of a mapping with `<<` merge keys applied: keys written in the mapping win over merged
    /// ones, and of several merged mappings the first listed wins (YAML's merge key type).
    public var mergedPairs: [YAMLPair]? {
        guard case let .mapping(pairs, _) = self else { return nil }
        guard pairs.contains(where: { $0.key.scalar?.isMergeKey == true }) else { return pairs }
        var own: [YAMLPair] = []
        var merged: [YAMLPair] = []
        for pair in pairs {
            guard pair.key.scalar?.isMergeKey == true else {
                own.append(pair)
                continue
            }
            switch pair.value {
            case .mapping:
                merged += pair.value.mergedPairs ?? []
            case let .sequence(items, _):
                for item in items { merged += item.mergedPairs ?? [] }
            case .scalar:
                break
            }
        }
        var seen = Set(own.compactMap { $0.key.scalar?.text })
        for pair in merged {
            guard let key = pair.key.scalar?.text, seen.insert(key).inserted else { continue }
            own.append(pair)
        }
        return own
    }
}

/// A key and its value in a mapping, in document order.
public struct YAMLPair: Sendable {
    public let key: YAMLNode
    public let value: YAMLNode
}

/// Where a node starts in the text (1-based line and column).
public struct YAMLMark: Equatable, Sendable {
    public let line: Int
    public let column: Int

    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }
}
