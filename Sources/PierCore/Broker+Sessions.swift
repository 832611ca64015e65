import Logging
import NIOConcurrencyHelpers
import NIOCore

/// The session registry: attach with takeover, detach, and the end of a session.
extension Broker {
    // MARK: - Connect and disconnect

    /// Binds `connection` to the session for `identity.clientID`, taking it over from any current connection first.
    /// The future completes on `connection.eventLoop` once the previous connection has handed its state back.
    public func attach(identity: ClientIdentity, cleanStart: Bool, expiryInterval: UInt32, will: WillMessage?,
                       connection: any SessionConnection) -> EventLoopFuture<AttachResult> {
        let loop = connection.eventLoop
        let (existing, previous): (Session?, (any SessionConnection)?) = sessions.withLockedValue { map in
            guard let s = map[identity.clientID] else { return (nil, nil) }
            return (s, s.lock.withLock { s.connection })
        }
        guard let existing, previous != nil else {
            return loop.makeSucceededFuture(finishAttach(identity: identity, cleanStart: cleanStart, expiryInterval: expiryInterval,
                                                         will: will, connection: connection))
        }
        let promise = loop.makePromise(of: AttachResult.self)
        // Re-check under the session lock: the old connection may have detached since the lookup above,
        // and a waiter added after its detach would never run.
        let current: (any SessionConnection)? = existing.lock.withLock {
            guard let current = existing.connection else { return nil }
            existing.takeoverWaiters.append { [self] in
                promise.succeed(self.finishAttach(identity: identity, cleanStart: cleanStart, expiryInterval: expiryInterval,
                                                  will: will, connection: connection))
            }
            return current
        }
        guard let current else {
            promise.succeed(finishAttach(identity: identity, cleanStart: cleanStart, expiryInterval: expiryInterval,
                                         will: will, connection: connection))
            return promise.futureResult
        }
        current.sessionTakenOver()
        return promise.futureResult
    }

    func finishAttach(identity: ClientIdentity, cleanStart: Bool, expiryInterval: UInt32, will: WillMessage?,
                              connection: any SessionConnection) -> AttachResult {
        let expiry = min(expiryInterval, limits.maxSessionExpiry)
        var endedOld: Session?
        let (session, present): (Session, Bool) = sessions.withLockedValue { map in
            if let old = map[identity.clientID] {
                // A session with expiry 0 ended with its connection; a takeover only found it still
                // in the map because the new connection was waiting for it. It is not present.
                let survived = old.lock.withLock { old.connection != nil || (old.expiryInterval > 0 && !old.ended) }
                if cleanStart || !survived {
                    endedOld = old
                } else {
                    return (old, true)
                }
            }
            let s = Session(identity: identity)
            map[identity.clientID] = s
            return (s, false)
        }
        if let endedOld { endSession(endedOld, removeFromMap: false) }

        var result = AttachResult(session: session, sessionPresent: present, deliveryState: .init(), queued: [])
        let displaced: (any SessionConnection)? = session.lock.withLock {
            // Another waiter of the same takeover may have bound first; this later attach wins.
            let displaced = session.connection.flatMap { $0 === connection ? nil : $0 }
            session.identity = identity
            session.connection = connection
            session.expiryInterval = expiry
            session.will = will
            session.generation &+= 1
            session.pendingWill?.cancel()
            session.pendingWill = nil
            session.pendingWillMessage = nil
            session.pendingExpiry?.cancel()
            session.pendingExpiry = nil
            if present {
                result.deliveryState = session.deliveryState
                result.queued = Array(session.offlineQueue)
                session.offlineQueue.removeAll()
            }
            session.deliveryState = .init()
            return displaced
        }
        if let displaced {
            stats.clientDisconnected()
            displaced.sessionTakenOver()
        }
        stats.clientConnected()
        persist(session)
        return result
    }

    /// The connection is gone. `publishWill` is false after a normal DISCONNECT.
    /// `expiryInterval` is the final value (MQTT 5 may change it in DISCONNECT).
    /// `undelivered` are messages the connection had queued but not sent; a persistent session keeps them.
    public func detach(session: Session, connection: any SessionConnection, deliveryState: SessionDeliveryState,
                       undelivered: [Delivery] = [], publishWill: Bool, expiryInterval: UInt32) {
        let (wasCurrent, will, waiters, generation): (Bool, WillMessage?, [@Sendable () -> Void], UInt64) = session.lock.withLock {
            guard session.connection === connection else { return (false, nil, [], 0) }
            session.connection = nil
            session.deliveryState = deliveryState
            session.expiryInterval = min(expiryInterval, limits.maxSessionExpiry)
            if session.expiryInterval > 0 {
                // Ahead of anything queued while offline, to keep publish order.
                var queue = session.offlineQueue
                queue.removeAll()
                for d in undelivered where d.qos != .atMostOnce { queue.append(d) }
                for d in session.offlineQueue { queue.append(d) }
                session.offlineQueue = queue
            }
            let will = publishWill ? session.will : nil
            session.will = nil
            let waiters = session.takeoverWaiters
            session.takeoverWaiters = []
            return (true, will, waiters, session.generation)
        }
        guard wasCurrent else { return }
        stats.clientDisconnected()

        let expiry = session.lock.withLock { session.expiryInterval }
        if let will {
            let delay = min(will.delaySeconds, expiry)
            if delay == 0 {
                publish(will.message)
            } else if !waiters.isEmpty {
                // The waiting connection either resumes the session (no will) or ends it (will now).
                session.lock.withLock { session.pendingWillMessage = will.message }
            } else {
                scheduleWill(will, session: session, delay: delay, generation: generation)
            }
        }
        if !waiters.isEmpty {
            // A new connection is waiting for this session; it decides whether the session survives.
            for w in waiters { w() }
            return
        }
        if expiry == 0 {
            endSession(session, removeFromMap: true)
        } else {
            persist(session)
            scheduleExpiry(session, generation: generation)
        }
    }

    /// Ends a session for good: its subscriptions go, and a will still waiting on a delay is published now.
    func endSession(_ session: Session, removeFromMap: Bool) {
        let (filters, pendingWill): ([String], Message?) = session.lock.withLock {
            session.ended = true
            let filters = session.subscriptions.keys
            session.subscriptions = [:]
            session.offlineQueue.removeAll()
            let will = session.pendingWillMessage
            session.pendingWill?.cancel()
            session.pendingWill = nil
            session.pendingWillMessage = nil
            session.pendingExpiry?.cancel()
            session.pendingExpiry = nil
            return (filters, will)
        }
        routing.withLockedValue { r in
            for f in filters { Self.remove(filter: f, session: session, from: &r.tree) }
        }
        if removeFromMap {
            sessions.withLockedValue { map in
                if map[session.clientID] === session { map[session.clientID] = nil }
            }
        }
        storage.append(.sessionDeleted(clientID: session.clientID))
        if let pendingWill { publish(pendingWill) }
    }

    func persist(_ session: Session) {
        let stored: StoredSession? = session.lock.withLock {
            guard session.expiryInterval > 0 else { return nil }
            return StoredSession(clientID: session.clientID, username: session.identity.username,
                                 expiryInterval: session.expiryInterval, subscriptions: session.subscriptions.dictionary)
        }
        if let stored { storage.append(.sessionSaved(stored)) }
    }
}
