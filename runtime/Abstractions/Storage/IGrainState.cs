namespace OrleansTenancy.Runtime.Storage;

/// <summary>
/// The state of one grain as a storage provider reads and writes it: the value, the ETag of the stored
/// version and whether a stored record exists at all.
/// </summary>
/// <typeparam name="T">The state type.</typeparam>
public interface IGrainState<T>
{
    /// <summary>The state value. A provider sets it to a new instance when no record exists.</summary>
    T State { get; set; }

    /// <summary>
    /// The opaque version tag of the stored record, or <see langword="null"/> when none has been read or
    /// written. Writes are conditional on it (compare-and-swap).
    /// </summary>
    string? ETag { get; set; }

    /// <summary>Whether a record for this grain exists in storage.</summary>
    bool RecordExists { get; set; }
}

/// <summary>A plain holder of <see cref="IGrainState{T}"/> values.</summary>
/// <typeparam name="T">The state type.</typeparam>
public sealed class GrainState<T> : IGrainState<T>
{
    /// <summary>Creates a holder with the given initial state.</summary>
    public GrainState(T state) => State = state;

    /// <inheritdoc />
    public T State { get; set; }

    /// <inheritdoc />
    public string? ETag { get; set; }

    /// <inheritdoc />
    public bool RecordExists { get; set; }
}
