internal import CProj

/// One PROJ context. Not Sendable: a context belongs to one thread at a time.
/// Create the first one on a single thread before any parallel region, then
/// one per worker (`PerWorker`).
final class ProjContext {
    let handle: OpaquePointer

    init() {
        // proj_context_create returns NULL only when out of memory.
        handle = proj_context_create()
        // Errors are read from proj_context_errno, not printed on stderr.
        proj_log_level(handle, PJ_LOG_NONE)
    }

    deinit {
        proj_context_destroy(handle)
    }

    /// PROJ's message for the context's last error, as a GeoVoteError.
    func error(_ what: String) -> GeoVoteError {
        let code = proj_context_errno(handle)
        let text = code != 0 ? String(cString: proj_context_errno_string(handle, code)) : "unknown error"
        return .proj("\(what): \(text)")
    }

    /// A PJ object from user input (EPSG code, WKT of any dialect, PROJ string).
    func create(_ definition: String) throws -> ProjObject {
        // Returns NULL on error.
        guard let pj = proj_create(handle, definition) else {
            throw error("cannot read the CRS '\(definition.prefix(80))'")
        }
        return ProjObject(context: self, pointer: pj)
    }
}

/// A PJ object owned by Swift; destroyed with the value.
final class ProjObject {
    let context: ProjContext
    let pointer: OpaquePointer

    init(context: ProjContext, pointer: OpaquePointer) {
        self.context = context
        self.pointer = pointer
    }

    deinit {
        proj_destroy(pointer)
    }
}
