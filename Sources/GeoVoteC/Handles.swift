import CGeoVoteABI
import Foundation
import GeoVoteEngine

/// The status codes of `geovote.h`, as Swift returns them (`gv_status` is an
/// `int`-sized C enum).
enum Status: Int32 {
    case ok = 0, argument = 1, data = 2, io = 3, handle = 4, arrow = 5, library = 6
}

/// An error of the C interface itself: a handle, a pointer or an Arrow
/// structure it cannot take.
struct InterfaceError: Error, CustomStringConvertible {
    let status: Status
    let description: String

    static func handle(_ message: String) -> InterfaceError { InterfaceError(status: .handle, description: message) }
    static func arrow(_ message: String) -> InterfaceError { InterfaceError(status: .arrow, description: message) }
}

/// What a handle refers to.
final class LayerHandle: @unchecked Sendable {
    let table: FeatureTable
    /// How messages name it: the file it was read from, or the Arrow table's name.
    let source: String
    /// `table.crs?.definition`, kept as C text for `gv_layer_crs`.
    let crsText: UnsafeMutablePointer<CChar>

    init(table: FeatureTable, source: String) {
        self.table = table
        self.source = source
        crsText = strdup(table.crs?.definition ?? "")
    }

    deinit { free(crsText) }
}

final class WeightsHandle: @unchecked Sendable {
    let weights: SpatialWeights
    let summary: WeightsSummary
    init(weights: SpatialWeights, summary: WeightsSummary) {
        self.weights = weights
        self.summary = summary
    }
}

/// The live handles. A handle is a number, not an address: one that was
/// freed is never given out again, so a stale handle is recognised as such
/// (GV_ERROR_HANDLE) instead of reaching freed memory.
enum Handles {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var live: [UInt: AnyObject] = [:]
    nonisolated(unsafe) private static var next: UInt = 0x1000

    static func register(_ object: AnyObject) -> OpaquePointer {
        lock.lock()
        defer { lock.unlock() }
        next += 16
        live[next] = object
        return OpaquePointer(bitPattern: next)!
    }

    static func look<T: AnyObject>(_ handle: OpaquePointer?, as _: T.Type, _ what: String) throws -> T {
        guard let handle else { throw InterfaceError.handle("the \(what) handle is NULL") }
        lock.lock()
        let object = live[UInt(bitPattern: Int(bitPattern: UnsafeRawPointer(handle)))]
        lock.unlock()
        guard let object else { throw InterfaceError.handle("the \(what) handle \(handle) is not live: freed already, or not one GeoVote gave out") }
        guard let typed = object as? T else { throw InterfaceError.handle("the handle \(handle) is not a \(what) handle") }
        return typed
    }

    /// Forgets a handle; a NULL, stale or foreign one is ignored.
    static func free(_ handle: OpaquePointer?) {
        guard let handle else { return }
        lock.lock()
        live[UInt(bitPattern: Int(bitPattern: UnsafeRawPointer(handle)))] = nil
        lock.unlock()
    }

    /// The number of live handles (tests: nothing leaks).
    static var count: Int {
        lock.lock()
        defer { lock.unlock() }
        return live.count
    }
}

/// Each thread's last error and notes, as C strings owned by that thread
/// and replaced by its next call.
enum ThreadMessages {
    private final class Slot {
        var error: UnsafeMutablePointer<CChar> = strdup("")
        var notes: UnsafeMutablePointer<CChar> = strdup("")
        deinit {
            Foundation.free(error)
            Foundation.free(notes)
        }
    }

    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key) { pointer in
            if let pointer { Unmanaged<AnyObject>.fromOpaque(pointer).release() }
        }
        return key
    }()

    private static var slot: Slot {
        if let pointer = pthread_getspecific(key) { return Unmanaged<Slot>.fromOpaque(pointer).takeUnretainedValue() }
        let slot = Slot()
        pthread_setspecific(key, Unmanaged.passRetained(slot).toOpaque())
        return slot
    }

    static var error: UnsafePointer<CChar> { UnsafePointer(slot.error) }
    static var notes: UnsafePointer<CChar> { UnsafePointer(slot.notes) }

    static func set(error message: String, notes lines: [String] = []) {
        let slot = self.slot
        Foundation.free(slot.error)
        Foundation.free(slot.notes)
        slot.error = strdup(message)
        slot.notes = strdup(lines.joined(separator: "\n"))
    }
}

/// Runs one C entry point: clears the thread's messages, maps every error to
/// its status and message. Nothing thrown crosses into C.
func guarded(_ body: () throws -> [String]) -> Int32 {
    do {
        let notes = try body()
        ThreadMessages.set(error: "", notes: notes)
        return Status.ok.rawValue
    } catch let error as InterfaceError {
        ThreadMessages.set(error: error.description)
        return error.status.rawValue
    } catch let error as GeoVoteError {
        ThreadMessages.set(error: error.description)
        return status(of: error).rawValue
    } catch {
        ThreadMessages.set(error: "\(error)")
        return Status.library.rawValue
    }
}

func status(of error: GeoVoteError) -> Status {
    switch error {
    case .io: .io
    case .malformed, .textEncoding: .data
    case .invalidArgument, .unsupported, .geographicCRS: .argument
    case .geos, .proj: .library
    case let .inJob(_, _, inner): status(of: inner)
    }
}

/// A C string argument that must be given.
func text(_ pointer: UnsafePointer<CChar>?, _ what: String) throws -> String {
    guard let pointer else { throw InterfaceError(status: .argument, description: "\(what) is NULL") }
    return String(cString: pointer)
}

/// An output pointer that must be given.
func output<T>(_ pointer: UnsafeMutablePointer<T>?, _ what: String) throws -> UnsafeMutablePointer<T> {
    guard let pointer else { throw InterfaceError(status: .handle, description: "the output pointer \(what) is NULL") }
    return pointer
}
