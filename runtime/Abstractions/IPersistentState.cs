namespace OrleansTenancy.Runtime;

/// <summary>
/// A named piece of grain state backed by a storage provider. The runtime reads it during activation,
/// before <see cref="Grain.OnActivateAsync"/>. Writes are conditional on <see cref="Etag"/>; a conflict throws
/// <see cref="InconsistentStateException"/> and the runtime deactivates the activation.
/// </summary>
/// <typeparam name="TState">The state type: a class with a parameterless constructor, serializable by the provider.</typeparam>
public interface IPersistentState<TState>
{
    /// <summary>The current state value.</summary>
    TState State { get; set; }

    /// <summary>The version tag of the stored record this state was read from or last written as; null if none.</summary>
    string? Etag { get; }

    /// <summary>Whether a stored record exists.</summary>
    bool RecordExists { get; }

    /// <summary>Re-reads the state from storage, replacing <see cref="State"/>.</summary>
    Task ReadStateAsync(CancellationToken cancellationToken = default);

    /// <summary>Writes <see cref="State"/> if the stored version is still <see cref="Etag"/>.</summary>
    /// <exception cref="InconsistentStateException">Another writer changed the record first.</exception>
    Task WriteStateAsync(CancellationToken cancellationToken = default);

    /// <summary>Deletes the stored record if its version is still <see cref="Etag"/>, and resets <see cref="State"/>.</summary>
    /// <exception cref="InconsistentStateException">Another writer changed the record first.</exception>
    Task ClearStateAsync(CancellationToken cancellationToken = default);
}
