/// The web console's files, served at `/` and `/console/...`. Their bytes are compiled in by SwiftPM's
/// `embedInCode` resources (`PackageResources`, generated from `Console/`), so the binary needs no files.
enum ConsoleAssets {
    static let all: [ConsoleAsset] = [
        ConsoleAsset(path: "/console/index.html", contentType: "text/html; charset=utf-8", body: PackageResources.index_html),
        ConsoleAsset(path: "/console/app.js", contentType: "text/javascript; charset=utf-8", body: PackageResources.app_js),
        ConsoleAsset(path: "/console/app.css", contentType: "text/css; charset=utf-8", body: PackageResources.app_css),
    ]
}
