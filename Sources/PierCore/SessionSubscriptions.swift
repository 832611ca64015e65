/// A session's topic filters and their options. Nearly every device holds one subscription, so that one
/// is kept inline and a dictionary is made only for a second: a one-entry dictionary is a 136-byte
/// allocation per session.
struct SessionSubscriptions: ExpressibleByDictionaryLiteral {
    private enum Storage {
        case none
        case one(String, SubscriptionOptions)
        case many([String: SubscriptionOptions])
    }

    private var storage: Storage

    init(_ filters: [String: SubscriptionOptions]) {
        switch filters.count {
        case 0: storage = .none
        case 1: storage = .one(filters.first!.key, filters.first!.value)
        default: storage = .many(filters)
        }
    }

    init(dictionaryLiteral elements: (String, SubscriptionOptions)...) {
        self.init(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }

    var count: Int {
        switch storage {
        case .none: 0
        case .one: 1
        case .many(let map): map.count
        }
    }

    var isEmpty: Bool { count == 0 }

    var keys: [String] {
        switch storage {
        case .none: []
        case .one(let filter, _): [filter]
        case .many(let map): Array(map.keys)
        }
    }

    /// The filters as a dictionary, for storage and the admin API.
    var dictionary: [String: SubscriptionOptions] {
        switch storage {
        case .none: [:]
        case .one(let filter, let options): [filter: options]
        case .many(let map): map
        }
    }

    subscript(filter: String) -> SubscriptionOptions? {
        get {
            switch storage {
            case .none: nil
            case .one(let f, let options): f == filter ? options : nil
            case .many(let map): map[filter]
            }
        }
        set {
            guard let newValue else {
                removeValue(forKey: filter)
                return
            }
            switch storage {
            case .none:
                storage = .one(filter, newValue)
            case .one(let f, let options):
                storage = f == filter ? .one(filter, newValue) : .many([f: options, filter: newValue])
            case .many(var map):
                storage = .none  // so `map` is uniquely referenced while it changes
                map[filter] = newValue
                storage = .many(map)
            }
        }
    }

    @discardableResult
    mutating func removeValue(forKey filter: String) -> SubscriptionOptions? {
        switch storage {
        case .none:
            return nil
        case .one(let f, let options):
            guard f == filter else { return nil }
            storage = .none
            return options
        case .many(var map):
            storage = .none
            let removed = map.removeValue(forKey: filter)
            if map.count == 1, let last = map.first {
                storage = .one(last.key, last.value)
            } else {
                storage = .many(map)
            }
            return removed
        }
    }
}
