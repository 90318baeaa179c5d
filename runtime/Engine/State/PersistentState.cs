using OrleansTenancy.Runtime.Storage;

namespace OrleansTenancy.Runtime.State;

/// <summary>What the activation needs from a persistent state it created: the read before <c>OnActivateAsync</c>.</summary>
internal interface IPersistentStateLoader
{
    Task ReadStateAsync(CancellationToken cancellationToken);
}

/// <summary>
/// <see cref="IPersistentState{TState}"/> over an <see cref="IGrainStorage"/> provider. The ETag travels with
/// the holder, so every write and clear is a compare-and-swap against the version last read or written.
/// </summary>
internal sealed class PersistentState<T> : IPersistentState<T>, IPersistentStateLoader
    where T : class, new()
{
    private readonly string _stateName;
    private readonly GrainIdentity _grainId;
    private readonly IGrainStorage _storage;
    private readonly GrainState<T> _holder = new(new T());

    public PersistentState(string stateName, GrainIdentity grainId, IGrainStorage storage)
    {
        _stateName = stateName;
        _grainId = grainId;
        _storage = storage;
    }

    public T State
    {
        get => _holder.State;
        set => _holder.State = value ?? throw new ArgumentNullException(nameof(value), $"State '{_stateName}' of {_grainId} cannot be set to null; use ClearStateAsync.");
    }

    public string? Etag => _holder.ETag;

    public bool RecordExists => _holder.RecordExists;

    public Task ReadStateAsync(CancellationToken cancellationToken = default) =>
        _storage.ReadStateAsync(_stateName, _grainId, _holder, cancellationToken);

    public Task WriteStateAsync(CancellationToken cancellationToken = default) =>
        _storage.WriteStateAsync(_stateName, _grainId, _holder, cancellationToken);

    public Task ClearStateAsync(CancellationToken cancellationToken = default) =>
        _storage.ClearStateAsync(_stateName, _grainId, _holder, cancellationToken);
}
