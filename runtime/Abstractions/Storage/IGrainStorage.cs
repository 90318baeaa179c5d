namespace OrleansTenancy.Runtime.Storage;

/// <summary>
/// A grain storage provider. Every write and clear is conditional on the ETag last read or written
/// (compare-and-swap); a mismatch throws <see cref="InconsistentStateException"/> and changes nothing.
/// </summary>
/// <remarks>
/// The identity of a record is the full triple (<c>stateName</c>, <c>grainType</c>, <c>grainKey</c>) within
/// the provider's service id; providers enforce it as a unique key so that two first inserts cannot both
/// succeed.
/// </remarks>
public interface IGrainStorage
{
    /// <summary>Reads the record into <paramref name="grainState"/>; when none exists, sets a new state, a null ETag and <c>RecordExists = false</c>.</summary>
    Task ReadStateAsync<T>(string stateName, GrainIdentity grainId, IGrainState<T> grainState, CancellationToken cancellationToken = default)
        where T : new();

    /// <summary>Writes the state if the stored ETag equals <see cref="IGrainState{T}.ETag"/>, then updates the ETag.</summary>
    /// <exception cref="InconsistentStateException">The stored version is not the one this state was read from.</exception>
    Task WriteStateAsync<T>(string stateName, GrainIdentity grainId, IGrainState<T> grainState, CancellationToken cancellationToken = default);

    /// <summary>Deletes the record if the stored ETag matches, then resets the ETag and <c>RecordExists</c>.</summary>
    /// <exception cref="InconsistentStateException">The stored version is not the one this state was read from.</exception>
    Task ClearStateAsync<T>(string stateName, GrainIdentity grainId, IGrainState<T> grainState, CancellationToken cancellationToken = default)
        where T : new();
}
