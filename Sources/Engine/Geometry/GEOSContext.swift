internal import CGeos

/// Receives GEOS's error and notice messages for one context.
final class GEOSMessageBox {
    var lastError: String?
}

/// One GEOS reentrant context. Not Sendable: a context belongs to one thread
/// at a time. Create contexts before a parallel region (`GEOS_init_r` touches
/// a global), one per worker (`PerWorker`).
final class GEOSContext {
    let handle: GEOSContextHandle_t
    private let box: GEOSMessageBox
    private let boxPointer: UnsafeMutableRawPointer

    init() throws {
        // GEOS_init_r returns NULL only when out of memory.
        guard let handle = GEOS_init_r() else { throw GeoVoteError.geos("could not create a context") }
        self.handle = handle
        box = GEOSMessageBox()
        boxPointer = Unmanaged.passUnretained(box).toOpaque()
        let handler: GEOSMessageHandler_r = { message, userdata in
            guard let userdata, let message else { return }
            let box = Unmanaged<GEOSMessageBox>.fromOpaque(userdata).takeUnretainedValue()
            box.lastError = String(cString: message)
        }
        GEOSContext_setErrorMessageHandler_r(handle, handler, boxPointer)
        GEOSContext_setNoticeMessageHandler_r(handle, nil, nil)
    }

    deinit {
        GEOS_finish_r(handle)
    }

    /// The error GEOS reported since the last call, with a fallback text.
    func takeError(_ fallback: String) -> GeoVoteError {
        let message = box.lastError ?? fallback
        box.lastError = nil
        return .geos(message)
    }

    /// Clears any stale message before a call whose failure we check.
    func clearError() { box.lastError = nil }
}

/// A GEOS geometry owned by Swift: destroyed with the value that owns it.
final class GEOSGeometryHandle {
    let context: GEOSContext
    let pointer: OpaquePointer
    private var owned = true

    init(context: GEOSContext, pointer: OpaquePointer) {
        self.context = context
        self.pointer = pointer
    }

    /// Gives up ownership (the geometry now belongs to a GEOS collection).
    func release() { owned = false }

    deinit {
        if owned { GEOSGeom_destroy_r(context.handle, pointer) }
    }
}
