import Logging
import NIOConcurrencyHelpers
import NIOCore

/// Wills (with their delay) and session expiry: the timers a session leaves behind when it goes offline.
extension Broker {
    func scheduleWill(_ will: WillMessage, session: Session, delay: UInt32, generation: UInt64) {
        let task = group.next().scheduleTask(in: .seconds(Int64(delay))) { [self] in
            let due: Bool = session.lock.withLock {
                guard session.generation == generation, session.connection == nil, session.pendingWillMessage != nil else { return false }
                session.pendingWill = nil
                session.pendingWillMessage = nil
                return true
            }
            if due { publish(will.message) }
        }
        session.lock.withLock {
            session.pendingWill = task
            session.pendingWillMessage = will.message
        }
    }

    func scheduleExpiry(_ session: Session, generation: UInt64) {
        let expiry = session.lock.withLock { session.expiryInterval }
        guard expiry != 0, expiry != UInt32.max else { return }
        let task = group.next().scheduleTask(in: .seconds(Int64(expiry))) { [self] in
            let due: Bool = session.lock.withLock { session.generation == generation && session.connection == nil && !session.ended }
            if due { endSession(session, removeFromMap: true) }
        }
        session.lock.withLock { session.pendingExpiry = task }
    }
}
