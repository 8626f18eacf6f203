// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "baa",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "baa", targets: ["baa"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.19"),
    ],
    targets: [
        // System libraries (Debian -dev packages; the Makefile installs them).
        .systemLibrary(name: "CPCRE2", pkgConfig: "libpcre2-8", providers: [.apt(["libpcre2-dev"])]),
        // libcrypto (OpenSSL) for SHA-256.
        .systemLibrary(name: "CCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CLibXML2", pkgConfig: "libxml-2.0", providers: [.apt(["libxml2-dev"])]),
        // Types only: poppler-glib and cairo are dlopen'ed at the first PDF (PopplerAPI.swift explains why).
        .systemLibrary(name: "CPoppler", providers: [.apt(["libpoppler-glib-dev"])]),
        // Headers only: libtesseract is dlopen'ed at the first OCR'd page (OCREngine.swift explains why).
        .systemLibrary(name: "CTesseract", providers: [.apt(["libtesseract-dev"])]),
        // Headers only: C wrappers for libcurl's variadic calls; libcurl is dlopen'ed at the first ticket posted (BAABatch/Curl.swift).
        .systemLibrary(name: "CCurlShim"),

        // Small shared helpers: SHA-256 (libcrypto), atomic file writes.
        .target(name: "BAAUtil", dependencies: ["CCrypto"]),
        // Swift owner types over PCRE2.
        .target(name: "PCRE2", dependencies: ["CPCRE2"]),
        // file -> Document (normalized text + source map), one extractor per format.
        .target(name: "BAAExtract", dependencies: [
            "BAAUtil", "PCRE2", "CPoppler", "CLibXML2", "CTesseract",
            .product(name: "ZIPFoundation", package: "ZIPFoundation"),
        ]),
        // Clauses/ loader, validation, example self-test.
        .target(name: "BAAClauses", dependencies: ["PCRE2", "BAAUtil", .product(name: "Yams", package: "Yams")]),
        // segmentation, matching, scoring, playbooks -> Report.
        .target(name: "BAAReview", dependencies: ["BAAExtract", "BAAClauses", "PCRE2", .product(name: "Yams", package: "Yams")]),
        // terminal, JSON, JSONL, tickets.
        .target(name: "BAAReport", dependencies: ["BAAReview", "BAAExtract", "BAAClauses"]),
        // batch review of vendor folders: walk, vendor view, cache, audit log, tickets.
        .target(name: "BAABatch", dependencies: ["BAAReview", "BAAReport", "BAAExtract", "BAAUtil", "PCRE2", "CCurlShim"]),
        // The command line only.
        .executableTarget(name: "baa", dependencies: [
            "BAAReview", "BAAReport", "BAAClauses", "BAAExtract", "BAABatch", "PCRE2",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        .testTarget(name: "PCRE2Tests", dependencies: ["PCRE2", "BAAUtil"]),
        .testTarget(name: "BAAUtilTests", dependencies: ["BAAUtil"]),
        .testTarget(name: "BAAExtractTests", dependencies: ["BAAExtract"]),
        .testTarget(name: "BAAClausesTests", dependencies: ["BAAClauses", "BAAReview"]),
        // What the suites that run the built binary share (its path, environment, output reading).
        .target(name: "BAATestSupport", path: "Tests/BAATestSupport"),
        .testTarget(name: "BAACLITests", dependencies: ["BAATestSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "BAAReviewTests", dependencies: ["BAAReview", "BAAReport", "BAAClauses", "BAAExtract"]),
        .testTarget(name: "BAABatchTests", dependencies: ["BAABatch", "BAAReview", "BAAClauses", "BAAUtil", "BAATestSupport"]),
        // Hostile files (made by tools/make-hostile at test time) against the built binary; fuzz regressions in process.
        .testTarget(name: "BAAHostileTests", dependencies: ["BAAExtract", "BAATestSupport"], exclude: ["Fixtures"]),
    ]
)
