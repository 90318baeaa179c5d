using OrleansTenancy.Runtime;
using OrleansTenancy.Runtime.Storage;

namespace OrleansTenancy.Grains.Tests.Infrastructure;

/// <summary>
/// A real storage provider with two test levers: writes can be held at a gate (to observe what callers see before
/// a write completes) and made to fail. Counts the writes that reached the inner provider.
/// </summary>
public sealed class ControllableStorage(IGrainStorage inner) : IGrainStorage
{
    private TaskCompletionSource? _gate;
    private TaskCompletionSource _writeStarted = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _writes;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> _lastWritten = new(StringComparer.Ordinal);

    public int Writes => Volatile.Read(ref _writes);

    /// <summary>What storage holds for the grain keyed <paramref name="key"/>: its last successful write (what a restart would load).</summary>
    public T? LastWritten<T>(string key) =>
        _lastWritten.Where(pair => pair.Key.EndsWith("/" + key, StringComparison.Ordinal)).Select(pair => System.Text.Json.JsonSerializer.Deserialize<T>(pair.Value)).SingleOrDefault();

    public Exception? FailWrites { get; set; }

    /// <summary>Completes when the next write starts waiting at the gate.</summary>
    public Task WriteStarted => _writeStarted.Task;

    public void HoldWrites()
    {
        _writeStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    public void ReleaseWrites()
    {
        var gate = _gate;
        _gate = null;
        gate?.TrySetResult();
    }

    public Task ReadStateAsync<T>(string stateName, GrainIdentity grainId, IGrainState<T> grainState, CancellationToken cancellationToken = default)
        where T : new() => inner.ReadStateAsync(stateName, grainId, grainState, cancellationToken);

    public async Task WriteStateAsync<T>(string stateName, GrainIdentity grainId, IGrainState<T> grainState, CancellationToken cancellationToken = default)
    {
        // Serialise now, as the real providers do before their first await, then wait at the gate.
        var copy = new GrainState<T>(grainState.State) { ETag = grainState.ETag, RecordExists = grainState.RecordExists };
        var snapshot = System.Text.Json.JsonSerializer.Serialize(grainState.State);
        copy.State = System.Text.Json.JsonSerializer.Deserialize<T>(snapshot)!;
        if (_gate is { } gate)
        {
            _writeStarted.TrySetResult();
            await gate.Task;
        }

        if (FailWrites is { } failure)
        {
            throw failure;
        }

        await inner.WriteStateAsync(stateName, grainId, copy, cancellationToken);
        _lastWritten[grainId.ToString()] = snapshot;
        grainState.ETag = copy.ETag;
        grainState.RecordExists = copy.RecordExists;
        Interlocked.Increment(ref _writes);
    }

    public Task ClearStateAsync<T>(string stateName, GrainIdentity grainId, IGrainState<T> grainState, CancellationToken cancellationToken = default)
        where T : new() => inner.ClearStateAsync(stateName, grainId, grainState, cancellationToken);
}
