using System.Collections.Concurrent;
using System.Text.Json;

namespace OrleansTenancy.Runtime.Storage;

/// <summary>
/// Grain storage in process memory, for tests and single-process runs: nothing survives the process. It has
/// the same compare-and-swap semantics as the database providers and stores serialized JSON, so a caller
/// can never change a stored state through a reference it still holds.
/// </summary>
public sealed class MemoryGrainStorage : JsonGrainStorage
{
    private readonly ConcurrentDictionary<StorageKey, StoredRecord> _records = new();

    /// <summary>Creates an empty store.</summary>
    /// <param name="providerName">The provider name, used in errors and metric tags.</param>
    /// <param name="serializerOptions">JSON options for state values; <see langword="null"/> means <see cref="GrainStateJson.DefaultOptions"/>.</param>
    /// <param name="instruments">Metrics sink; <see langword="null"/> reports to the process-wide storage meter.</param>
    public MemoryGrainStorage(string providerName = "memory", JsonSerializerOptions? serializerOptions = null, GrainStorageInstruments? instruments = null)
        : base(providerName, "memory", serializerOptions, instruments)
    {
    }

    /// <summary>The number of stored records.</summary>
    public int Count => _records.Count;

    private protected override Task<StoredRecord?> ReadRecordAsync(StorageKey key, CancellationToken cancellationToken) =>
        Task.FromResult(_records.TryGetValue(key, out var record) ? record : null);

    private protected override Task InsertRecordAsync(StorageKey key, string payload, string newETag, CancellationToken cancellationToken)
    {
        if (!_records.TryAdd(key, new StoredRecord(payload, newETag)))
        {
            throw Conflict(key, "first write", StoredETag(key), null);
        }

        return Task.CompletedTask;
    }

    private protected override Task UpdateRecordAsync(StorageKey key, string payload, string expectedETag, string newETag, CancellationToken cancellationToken)
    {
        // TryUpdate compares by record equality (payload and ETag): only the ETag matters because every
        // write draws a fresh ETag, so two records with the same ETag are the same write.
        if (!_records.TryGetValue(key, out var current) || current.ETag != expectedETag
            || !_records.TryUpdate(key, new StoredRecord(payload, newETag), current))
        {
            throw Conflict(key, "write", StoredETag(key), expectedETag);
        }

        return Task.CompletedTask;
    }

    private protected override Task DeleteRecordAsync(StorageKey key, string? expectedETag, CancellationToken cancellationToken)
    {
        if (expectedETag is null)
        {
            if (_records.ContainsKey(key))
            {
                throw Conflict(key, "clear", StoredETag(key), null);
            }

            return Task.CompletedTask;
        }

        if (!_records.TryGetValue(key, out var current) || current.ETag != expectedETag
            || !_records.TryRemove(new KeyValuePair<StorageKey, StoredRecord>(key, current)))
        {
            throw Conflict(key, "clear", StoredETag(key), expectedETag);
        }

        return Task.CompletedTask;
    }

    private string? StoredETag(StorageKey key) => _records.TryGetValue(key, out var record) ? record.ETag : null;
}
