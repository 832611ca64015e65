/// Something with deadlines (keepalive, connect timeout) that a periodic sweep checks. The connection
/// registry sweeps every connection it lists, one timer per event loop, instead of a scheduled task per
/// connection: idle devices then cost no timer state of their own.
public protocol SweptConnection: AnyObject {
    func sweep(now: Int64)
}
