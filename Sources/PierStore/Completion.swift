/// A one-shot result that one thread waits for and another delivers; the synchronous
/// wrappers over the callback API use it.
final class Completion<Value: Sendable>: @unchecked Sendable {
    private let condition = Condition()
    private var result: Result<Value, StoreError>?  // guarded by `condition`

    func complete(_ r: Result<Value, StoreError>) {
        condition.lock()
        result = r
        condition.unlock()
        condition.broadcast()
    }

    func wait() throws(StoreError) -> Value {
        condition.lock()
        while result == nil { condition.wait() }
        let r = result!
        condition.unlock()
        return try r.get()
    }
}
