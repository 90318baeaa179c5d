using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using OrleansTenancy.Runtime.Storage;

namespace OrleansTenancy.Runtime.Tests.Infrastructure;

/// <summary>An in-memory grain storage with ETag compare-and-swap, storing JSON so no object is shared with grains.</summary>
public sealed class TestGrainStorage : IGrainStorage
{
    private readonly ConcurrentDictionary<(string State, GrainIdentity Grain), (string Json, string ETag)> _records = new();
    private long _version;
    private int _reads;

    public int Reads => _reads;

    public Task ReadStateAsync<T>(string stateName, GrainIdentity grainId, IGrainState<T> grainState, CancellationToken cancellationToken = default)
        where T : new()
    {
        Interlocked.Increment(ref _reads);
        if (_records.TryGetValue((stateName, grainId), out var record))
        {
            grainState.State = JsonSerializer.Deserialize<T>(record.Json)!;
            grainState.ETag = record.ETag;
            grainState.RecordExists = true;
        }
        else
        {
            grainState.State = new T();
            grainState.ETag = null;
            grainState.RecordExists = false;
        }

        return Task.CompletedTask;
    }

    public Task WriteStateAsync<T>(string stateName, GrainIdentity grainId, IGrainState<T> grainState, CancellationToken cancellationToken = default)
    {
        var key = (stateName, grainId);
        lock (_records)
        {
            var current = _records.TryGetValue(key, out var record) ? record.ETag : null;
            if (current != grainState.ETag)
            {
                throw new InconsistentStateException($"Write of {stateName} for {grainId} conflicts", current, grainState.ETag);
            }

            var etag = Interlocked.Increment(ref _version).ToString(CultureInfo.InvariantCulture);
            _records[key] = (JsonSerializer.Serialize(grainState.State), etag);
            grainState.ETag = etag;
            grainState.RecordExists = true;
        }

        return Task.CompletedTask;
    }

    public Task ClearStateAsync<T>(string stateName, GrainIdentity grainId, IGrainState<T> grainState, CancellationToken cancellationToken = default)
        where T : new()
    {
        var key = (stateName, grainId);
        lock (_records)
        {
            var current = _records.TryGetValue(key, out var record) ? record.ETag : null;
            if (current != grainState.ETag)
            {
                throw new InconsistentStateException($"Clear of {stateName} for {grainId} conflicts", current, grainState.ETag);
            }

            _records.TryRemove(key, out _);
            grainState.State = new T();
            grainState.ETag = null;
            grainState.RecordExists = false;
        }

        return Task.CompletedTask;
    }

    /// <summary>Writes a record as another writer would, moving its ETag on.</summary>
    public void WriteBehindTheGrainsBack<T>(string stateName, GrainIdentity grainId, T state)
    {
        lock (_records)
        {
            var etag = Interlocked.Increment(ref _version).ToString(CultureInfo.InvariantCulture);
            _records[(stateName, grainId)] = (JsonSerializer.Serialize(state), etag);
        }
    }
}
