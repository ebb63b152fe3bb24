import CShapelib

/// shapelib's I/O hooks with its stderr messages switched off: GeoVote
/// reports each failure itself, naming the file and the record.
enum ShapelibHooks {
    static var quiet: SAHooks {
        var hooks = SAHooks()
        SASetupDefaultHooks(&hooks)
        hooks.Error = { _ in }
        return hooks
    }
}
