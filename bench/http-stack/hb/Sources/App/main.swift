import Hummingbird

let router = Router()
router.get("metrics") { _, _ in "pier_up 1\n" }
let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: Int(CommandLine.arguments[1])!)))
try await app.runService()
