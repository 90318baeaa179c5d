using System.Diagnostics;
using System.Text.Json;

namespace OrleansTenancy.Runtime.Storage;

/// <summary>
/// The shared half of every provider: JSON serialization of the state, ETag bookkeeping on the
/// <see cref="IGrainState{T}"/> and metrics. Subclasses only move serialized records with compare-and-swap.
/// </summary>
/// <remarks>
/// ETags are random tokens, replaced on every write. A random token rather than a version counter keeps
/// compare-and-swap safe across a clear: a clear deletes the record, and a writer still holding the ETag of
/// the deleted record can never match the ETag of a record created afterwards (no A-B-A).
/// </remarks>
public abstract class JsonGrainStorage : IGrainStorage
{
    private readonly GrainStorageInstruments _instruments;

    /// <summary>Creates the provider.</summary>
    /// <param name="providerName">The provider name, used in errors and metric tags.</param>
    /// <param name="serviceId">The service id that scopes every key.</param>
    /// <param name="serializerOptions">JSON options for state values; <see langword="null"/> means <see cref="GrainStateJson.DefaultOptions"/>.</param>
    /// <param name="instruments">Metrics sink; <see langword="null"/> reports to the process-wide storage meter.</param>
    protected JsonGrainStorage(string providerName, string serviceId, JsonSerializerOptions? serializerOptions, GrainStorageInstruments? instruments)
    {
        ArgumentException.ThrowIfNullOrEmpty(providerName);
        ArgumentException.ThrowIfNullOrEmpty(serviceId);
        ProviderName = providerName;
        ServiceId = serviceId;
        SerializerOptions = serializerOptions ?? GrainStateJson.DefaultOptions;
        _instruments = instruments ?? new GrainStorageInstruments();
    }

    /// <summary>The provider name given at registration.</summary>
    public string ProviderName { get; }

    /// <summary>The service id that scopes every key of this provider.</summary>
    public string ServiceId { get; }

    /// <summary>The JSON options used for state values.</summary>
    public JsonSerializerOptions SerializerOptions { get; }

    /// <inheritdoc />
    public async Task ReadStateAsync<T>(string stateName, GrainIdentity grainId, IGrainState<T> grainState, CancellationToken cancellationToken = default)
        where T : new()
    {
        ArgumentNullException.ThrowIfNull(grainState);
        var key = StorageKey.Create(ServiceId, stateName, grainId);
        var started = Stopwatch.GetTimestamp();
        try
        {
            var record = await ReadRecordAsync(key, cancellationToken).ConfigureAwait(false);
            if (record is null)
            {
                grainState.State = new T();
                grainState.ETag = null;
                grainState.RecordExists = false;
                return;
            }

            grainState.State = Deserialize<T>(key, record.Payload);
            grainState.ETag = record.ETag;
            grainState.RecordExists = true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _instruments.RecordError(ProviderName, key.GrainType, "read");
            throw;
        }
        finally
        {
            _instruments.RecordRead(ProviderName, key.GrainType, Stopwatch.GetElapsedTime(started));
        }
    }

    /// <inheritdoc />
    public async Task WriteStateAsync<T>(string stateName, GrainIdentity grainId, IGrainState<T> grainState, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        var key = StorageKey.Create(ServiceId, stateName, grainId);
        var payload = JsonSerializer.Serialize(grainState.State, SerializerOptions);
        var newETag = NewETag();
        var started = Stopwatch.GetTimestamp();
        try
        {
            if (grainState.ETag is null)
            {
                await InsertRecordAsync(key, payload, newETag, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await UpdateRecordAsync(key, payload, grainState.ETag, newETag, cancellationToken).ConfigureAwait(false);
            }

            grainState.ETag = newETag;
            grainState.RecordExists = true;
        }
        catch (InconsistentStateException)
        {
            _instruments.RecordConflict(ProviderName, key.GrainType, "write");
            throw;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _instruments.RecordError(ProviderName, key.GrainType, "write");
            throw;
        }
        finally
        {
            _instruments.RecordWrite(ProviderName, key.GrainType, Stopwatch.GetElapsedTime(started));
        }
    }

    /// <inheritdoc />
    public async Task ClearStateAsync<T>(string stateName, GrainIdentity grainId, IGrainState<T> grainState, CancellationToken cancellationToken = default)
        where T : new()
    {
        ArgumentNullException.ThrowIfNull(grainState);
        var key = StorageKey.Create(ServiceId, stateName, grainId);
        var started = Stopwatch.GetTimestamp();
        try
        {
            await DeleteRecordAsync(key, grainState.ETag, cancellationToken).ConfigureAwait(false);
            grainState.State = new T();
            grainState.ETag = null;
            grainState.RecordExists = false;
        }
        catch (InconsistentStateException)
        {
            _instruments.RecordConflict(ProviderName, key.GrainType, "clear");
            throw;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _instruments.RecordError(ProviderName, key.GrainType, "clear");
            throw;
        }
        finally
        {
            _instruments.RecordClear(ProviderName, key.GrainType, Stopwatch.GetElapsedTime(started));
        }
    }

    /// <summary>Reads the record, or <see langword="null"/> when none exists.</summary>
    private protected abstract Task<StoredRecord?> ReadRecordAsync(StorageKey key, CancellationToken cancellationToken);

    /// <summary>Creates the record; throws <see cref="InconsistentStateException"/> (via <see cref="Conflict"/>) when one exists.</summary>
    private protected abstract Task InsertRecordAsync(StorageKey key, string payload, string newETag, CancellationToken cancellationToken);

    /// <summary>Replaces the record if its ETag is <paramref name="expectedETag"/>; otherwise throws <see cref="InconsistentStateException"/>.</summary>
    private protected abstract Task UpdateRecordAsync(StorageKey key, string payload, string expectedETag, string newETag, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes the record if its ETag is <paramref name="expectedETag"/>. With a <see langword="null"/> ETag the
    /// caller believes no record exists: that is a no-op when true and a conflict when a record exists.
    /// </summary>
    private protected abstract Task DeleteRecordAsync(StorageKey key, string? expectedETag, CancellationToken cancellationToken);

    /// <summary>Builds the exception for a failed compare-and-swap, naming the grain, the provider and both ETags.</summary>
    private protected InconsistentStateException Conflict(StorageKey key, string operation, string? storedETag, string? expectedETag) =>
        new($"Storage provider '{ProviderName}' rejected the {operation} of {key}: another writer changed it since it was read. " +
            "The activation must re-read its state", storedETag, expectedETag);

    private T Deserialize<T>(StorageKey key, string payload)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(payload, SerializerOptions)
                ?? throw new JsonException("The stored JSON is 'null'.");
        }
        catch (JsonException ex)
        {
            throw new InvalidOperationException(
                $"Storage provider '{ProviderName}' cannot read {key} as {typeof(T).FullName}: {ex.Message} " +
                "Fix or clear the stored record, or make the state type accept the stored shape.", ex);
        }
    }

    private static string NewETag() => Guid.NewGuid().ToString("N");
}
