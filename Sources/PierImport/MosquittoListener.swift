/// A mosquitto listener as the import collects it, before it becomes a Pier listener.
struct MosquittoListener {
    var port: Int
    /// nil: every interface, as mosquitto binds without an address.
    var bind: String?
    var websockets = false
    var certFile: String?
    var keyFile: String?
    var caFile: String?
    var requireCertificate = false
    /// Per-listener auth (`per_listener_settings true`).
    var allowAnonymous: Bool?
    var passwordFile: MosquittoDirective?
    var aclFile: MosquittoDirective?
    var maxConnections: Int?
    /// The `listener` (or `port`) line, for notes.
    var origin: MosquittoDirective?
}
