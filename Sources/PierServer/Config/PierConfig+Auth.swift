extension PierConfig {
    /// Where credentials and access rules come from. With neither file set,
    /// only listeners with `allow_anonymous` accept clients.
    public struct Auth: Codable, Equatable, Sendable {
        /// mosquitto-compatible password file, managed with `pier passwd`.
        public var passwordFile: String?
        /// mosquitto-compatible ACL file.
        public var aclFile: String?

        public init(passwordFile: String? = nil, aclFile: String? = nil) {
            self.passwordFile = passwordFile
            self.aclFile = aclFile
        }

        enum CodingKeys: String, CodingKey, CaseIterable {
            case passwordFile = "password_file"
            case aclFile = "acl_file"
        }

        public init(from decoder: any Decoder) throws {
            let map = try ConfigMapping<CodingKeys>(decoder)
            self.init(passwordFile: try map.string(.passwordFile), aclFile: try map.string(.aclFile))
        }
    }
}
