import CPoppler
import Foundation

/// poppler-glib, cairo and the glib/gobject/gio functions PDFExtractor uses, loaded with dlopen at the first
/// PDF. Linking them made every run load poppler, cairo, glib and their ~40 dependencies at process start,
/// which a review of a text file never uses (with libcurl, see BAABatch/Curl.swift, that was about 17 ms of
/// every start: `baa --version` 25 ms before, 8 ms after). Loaded once; nil when a library or a symbol is
/// missing, and each PDF then fails with `PopplerAPI.unavailable`.
struct PopplerAPI: @unchecked Sendable {
    // poppler-glib
    typealias DocumentNewFromStream = @convention(c) (
        OpaquePointer?, Int64, UnsafePointer<CChar>?, OpaquePointer?, UnsafeMutablePointer<UnsafeMutablePointer<GError>?>?
    ) -> OpaquePointer?
    typealias DocumentGetNPages = @convention(c) (OpaquePointer?) -> Int32
    typealias DocumentGetPage = @convention(c) (OpaquePointer?, Int32) -> OpaquePointer?
    typealias PageGetText = @convention(c) (OpaquePointer?) -> UnsafeMutablePointer<CChar>?
    typealias PageGetTextLayout = @convention(c) (
        OpaquePointer?, UnsafeMutablePointer<UnsafeMutablePointer<PopplerRectangle>?>?, UnsafeMutablePointer<UInt32>?
    ) -> Int32
    typealias PageGetSize = @convention(c) (OpaquePointer?, UnsafeMutablePointer<Double>?, UnsafeMutablePointer<Double>?) -> Void
    typealias PageRender = @convention(c) (OpaquePointer?, OpaquePointer?) -> Void
    // glib, gobject, gio
    typealias Free = @convention(c) (UnsafeMutableRawPointer?) -> Void
    typealias BytesNew = @convention(c) (UnsafeRawPointer?, Int) -> OpaquePointer?
    typealias BytesUnref = @convention(c) (OpaquePointer?) -> Void
    typealias ErrorFree = @convention(c) (UnsafeMutablePointer<GError>?) -> Void
    typealias MemoryInputStreamFromBytes = @convention(c) (OpaquePointer?) -> OpaquePointer?
    // cairo
    typealias ImageSurfaceCreate = @convention(c) (Int32, Int32, Int32) -> OpaquePointer?
    typealias Status = @convention(c) (OpaquePointer?) -> Int32
    typealias Destroy = @convention(c) (OpaquePointer?) -> Void
    typealias Create = @convention(c) (OpaquePointer?) -> OpaquePointer?
    typealias SetSourceRGB = @convention(c) (OpaquePointer?, Double, Double, Double) -> Void
    typealias Scale = @convention(c) (OpaquePointer?, Double, Double) -> Void
    typealias GetData = @convention(c) (OpaquePointer?) -> UnsafeMutablePointer<UInt8>?
    typealias GetInt = @convention(c) (OpaquePointer?) -> Int32

    let documentNewFromStream: DocumentNewFromStream, documentGetNPages: DocumentGetNPages, documentGetPage: DocumentGetPage
    let pageGetText: PageGetText, pageGetTextLayout: PageGetTextLayout, pageGetSize: PageGetSize, pageRender: PageRender
    let free: Free, objectUnref: Free, bytesNew: BytesNew, bytesUnref: BytesUnref, errorFree: ErrorFree
    let memoryInputStreamFromBytes: MemoryInputStreamFromBytes
    let imageSurfaceCreate: ImageSurfaceCreate, surfaceStatus: Status, surfaceDestroy: Destroy, surfaceFlush: Destroy
    let imageSurfaceGetData: GetData, imageSurfaceGetStride: GetInt
    let create: Create, status: Status, destroy: Destroy, setSourceRGB: SetSourceRGB, paint: Destroy, scale: Scale

    /// What each PDF says when the libraries cannot be loaded.
    static let unavailable = "cannot read PDFs: cannot load poppler-glib and cairo (install libpoppler-glib8 and libcairo2)"

    /// nil when poppler-glib, cairo, glib, gobject or gio is not installed (or lacks a function we use).
    static let shared: PopplerAPI? = {
        func open(_ names: String...) -> UnsafeMutableRawPointer? {
            for name in names { if let lib = dlopen(name, RTLD_NOW | RTLD_LOCAL) { return lib } }
            return nil
        }
        // poppler-glib first: it needs the others, so they come with it and the later dlopens only find them.
        guard let poppler = open("libpoppler-glib.so.8", "libpoppler-glib.so"),
              let cairo = open("libcairo.so.2", "libcairo.so"),
              let gobject = open("libgobject-2.0.so.0", "libgobject-2.0.so"),
              let glib = open("libglib-2.0.so.0", "libglib-2.0.so"),
              let gio = open("libgio-2.0.so.0", "libgio-2.0.so") else { return nil }
        func sym<T>(_ lib: UnsafeMutableRawPointer, _ name: String, _: T.Type) -> T? {
            dlsym(lib, name).map { unsafeBitCast($0, to: T.self) }
        }
        guard let newFromStream = sym(poppler, "poppler_document_new_from_stream", DocumentNewFromStream.self),
              let nPages = sym(poppler, "poppler_document_get_n_pages", DocumentGetNPages.self),
              let getPage = sym(poppler, "poppler_document_get_page", DocumentGetPage.self),
              let getText = sym(poppler, "poppler_page_get_text", PageGetText.self),
              let getLayout = sym(poppler, "poppler_page_get_text_layout", PageGetTextLayout.self),
              let getSize = sym(poppler, "poppler_page_get_size", PageGetSize.self),
              let render = sym(poppler, "poppler_page_render", PageRender.self),
              let free = sym(glib, "g_free", Free.self),
              let bytesNew = sym(glib, "g_bytes_new", BytesNew.self),
              let bytesUnref = sym(glib, "g_bytes_unref", BytesUnref.self),
              let errorFree = sym(glib, "g_error_free", ErrorFree.self),
              let unref = sym(gobject, "g_object_unref", Free.self),
              let stream = sym(gio, "g_memory_input_stream_new_from_bytes", MemoryInputStreamFromBytes.self),
              let surfaceCreate = sym(cairo, "cairo_image_surface_create", ImageSurfaceCreate.self),
              let surfaceStatus = sym(cairo, "cairo_surface_status", Status.self),
              let surfaceDestroy = sym(cairo, "cairo_surface_destroy", Destroy.self),
              let surfaceFlush = sym(cairo, "cairo_surface_flush", Destroy.self),
              let getData = sym(cairo, "cairo_image_surface_get_data", GetData.self),
              let getStride = sym(cairo, "cairo_image_surface_get_stride", GetInt.self),
              let create = sym(cairo, "cairo_create", Create.self),
              let status = sym(cairo, "cairo_status", Status.self),
              let destroy = sym(cairo, "cairo_destroy", Destroy.self),
              let setSource = sym(cairo, "cairo_set_source_rgb", SetSourceRGB.self),
              let paint = sym(cairo, "cairo_paint", Destroy.self),
              let scale = sym(cairo, "cairo_scale", Scale.self) else { return nil }
        return PopplerAPI(
            documentNewFromStream: newFromStream, documentGetNPages: nPages, documentGetPage: getPage,
            pageGetText: getText, pageGetTextLayout: getLayout, pageGetSize: getSize, pageRender: render,
            free: free, objectUnref: unref, bytesNew: bytesNew, bytesUnref: bytesUnref, errorFree: errorFree,
            memoryInputStreamFromBytes: stream,
            imageSurfaceCreate: surfaceCreate, surfaceStatus: surfaceStatus, surfaceDestroy: surfaceDestroy, surfaceFlush: surfaceFlush,
            imageSurfaceGetData: getData, imageSurfaceGetStride: getStride,
            create: create, status: status, destroy: destroy, setSourceRGB: setSource, paint: paint, scale: scale)
    }()
}
