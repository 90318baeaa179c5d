using System.Text.Json;
using Microsoft.Extensions.Logging;
using Orleans;
using Orleans.Runtime;
using Orleans.Storage;

namespace OrleansTenancy.Storage;

/// <summary>
/// The shared half of the SQLite and batched PostgreSQL providers: JSON state, ETag bookkeeping on the
/// <see cref="IGrainState{T}"/>, start-up initialization and errors that say what to do. Subclasses move JSON text
/// with compare-and-swap and nothing else.
/// </summary>
/// <remarks>
/// <para>
/// <b>Invariant.</b> A write or clear changes the stored record only when the record's ETag is the one the caller last
/// read or wrote; otherwise it changes nothing and throws <see cref="InconsistentStateException"/>. A write with no ETag
/// creates the record and fails when one exists. Orleans answers the exception by deactivating the activation, whose
/// next call reads the record again: this is what makes a brief duplicate activation (during a membership change) lose
/// no update.
/// </para>
/// <para>
/// <b>ETags</b> are random tokens drawn for every write. A random token rather than a version counter keeps the check
/// sound across a clear: a clear deletes the record, and an ETag of the deleted record can never match the ETag of one
/// created afterwards (no A-B-A).
/// </para>
/// <para>
/// <b>Failure modes.</b> A write whose outcome is unknown (the connection broke after the statement was sent) throws the
/// driver's error; the record then holds either the old or the new state, and the grain's next read tells which. A
/// record that no longer deserializes into the state type fails the read with an error naming the record, so the grain
/// does not activate on a default state that would hide the stored money.
/// </para>
/// </remarks>
public abstract partial class JsonGrainStorage : IGrainStorage, ILifecycleParticipant<ISiloLifecycle>
{
    private readonly Lock _initGate = new();
    private readonly int _initStage;

    // The store's one-time set-up; replaced when it failed, so a later call tries again.
    private Task? _initialization;

    /// <summary>Creates the provider.</summary>
    /// <param name="name">The provider name, used in errors and logs.</param>
    /// <param name="serviceId">The service id that scopes every key (Orleans' <c>ClusterOptions.ServiceId</c>).</param>
    /// <param name="initStage">The silo lifecycle stage at which the provider opens its store.</param>
    /// <param name="serializer">The state serializer.</param>
    /// <param name="logger">The logger.</param>
    private protected JsonGrainStorage(string name, string serviceId, int initStage, JsonGrainStateSerializer serializer, ILogger logger)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentException.ThrowIfNullOrEmpty(serviceId);
        ArgumentNullException.ThrowIfNull(serializer);
        ArgumentNullException.ThrowIfNull(logger);
        Name = name;
        ServiceId = serviceId;
        Serializer = serializer;
        Logger = logger;
        _initStage = initStage;
    }

    /// <summary>The provider name given at registration.</summary>
    public string Name { get; }

    /// <summary>The service id that scopes every key of this provider.</summary>
    public string ServiceId { get; }

    /// <summary>The state serializer.</summary>
    public JsonGrainStateSerializer Serializer { get; }

    private protected ILogger Logger { get; }

    /// <inheritdoc />
    public void Participate(ISiloLifecycle lifecycle)
    {
        ArgumentNullException.ThrowIfNull(lifecycle);

        // Open the store while the silo starts, so a missing folder or an unreachable server stops the start with its
        // error instead of failing the first grain activation.
        lifecycle.Subscribe($"{GetType().Name}-{Name}", _initStage, EnsureInitializedAsync);
    }

    /// <inheritdoc />
    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        ReadStateAsync(stateName, grainId, grainState, CancellationToken.None);

    /// <inheritdoc />
    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        var key = GrainStorageKey.Create(ServiceId, stateName, grainId);
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        var record = await ReadRecordAsync(key, cancellationToken).ConfigureAwait(false);
        if (record is null)
        {
            grainState.State = Activator.CreateInstance<T>();
            grainState.ETag = null;
            grainState.RecordExists = false;
            return;
        }

        grainState.State = Deserialize<T>(key, record.Json);
        grainState.ETag = record.ETag;
        grainState.RecordExists = true;
    }

    /// <inheritdoc />
    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        WriteStateAsync(stateName, grainId, grainState, CancellationToken.None);

    /// <inheritdoc />
    /// <remarks>The token is honoured until the write is handed to the store; a write handed over runs to its end.</remarks>
    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        var key = GrainStorageKey.Create(ServiceId, stateName, grainId);
        var json = Serializer.SerializeToText(grainState.State);
        var newETag = NewETag();
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        var expectedETag = grainState.ETag;
        await LoggingConflictsAsync("write", key, expectedETag is null
            ? InsertRecordAsync(key, json, newETag, cancellationToken)
            : UpdateRecordAsync(key, json, expectedETag, newETag, cancellationToken)).ConfigureAwait(false);

        grainState.ETag = newETag;
        grainState.RecordExists = true;
    }

    /// <inheritdoc />
    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        ClearStateAsync(stateName, grainId, grainState, CancellationToken.None);

    /// <inheritdoc />
    /// <remarks>
    /// The record is deleted and the ETag becomes <see langword="null"/>. A clear without an ETag means the caller
    /// believes no record exists: it changes nothing when that is true and is a conflict when a record exists.
    /// </remarks>
    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        var key = GrainStorageKey.Create(ServiceId, stateName, grainId);
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        await LoggingConflictsAsync("clear", key, DeleteRecordAsync(key, grainState.ETag, cancellationToken)).ConfigureAwait(false);

        grainState.State = Activator.CreateInstance<T>();
        grainState.ETag = null;
        grainState.RecordExists = false;
    }

    /// <summary>Opens the store (folders, schema) once; later calls return at once. A failed attempt is retried by the next call.</summary>
    /// <param name="cancellationToken">Stops waiting; the set-up itself runs to its end for the next caller.</param>
    public Task EnsureInitializedAsync(CancellationToken cancellationToken)
    {
        var initialization = Volatile.Read(ref _initialization);
        if (initialization is { IsCompletedSuccessfully: true })
        {
            return Task.CompletedTask;
        }

        lock (_initGate)
        {
            if (_initialization is null || _initialization.IsFaulted || _initialization.IsCanceled)
            {
                _initialization = InitializeAsync(CancellationToken.None);
            }

            initialization = _initialization;
        }

        return initialization.WaitAsync(cancellationToken);
    }

    /// <summary>Creates what the store needs (file, tables) and logs the effective settings; called once.</summary>
    private protected abstract Task InitializeAsync(CancellationToken cancellationToken);

    /// <summary>Reads the record, or <see langword="null"/> when none exists.</summary>
    private protected abstract Task<StoredRecord?> ReadRecordAsync(GrainStorageKey key, CancellationToken cancellationToken);

    /// <summary>Creates the record; throws <see cref="InconsistentStateException"/> (from <see cref="Conflict"/>) when one exists.</summary>
    private protected abstract Task InsertRecordAsync(GrainStorageKey key, string json, string newETag, CancellationToken cancellationToken);

    /// <summary>Replaces the record if its ETag is <paramref name="expectedETag"/>; otherwise throws <see cref="InconsistentStateException"/>.</summary>
    private protected abstract Task UpdateRecordAsync(GrainStorageKey key, string json, string expectedETag, string newETag, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes the record if its ETag is <paramref name="expectedETag"/>. With a <see langword="null"/> ETag: nothing to
    /// do when no record exists, a conflict when one does.
    /// </summary>
    private protected abstract Task DeleteRecordAsync(GrainStorageKey key, string? expectedETag, CancellationToken cancellationToken);

    /// <summary>The exception for a failed compare-and-swap, naming the grain, the provider and both ETags.</summary>
    private protected InconsistentStateException Conflict(GrainStorageKey key, string operation, string? storedETag, string? expectedETag) =>
        new($"Grain storage '{Name}' refused the {operation} of {key}: the stored version is not the one this activation " +
            $"read (stored ETag {storedETag ?? "<none>"}, expected {expectedETag ?? "<none>"}). Another activation wrote it; this one must re-read its state.",
            storedETag, expectedETag);

    private async Task LoggingConflictsAsync(string operation, GrainStorageKey key, Task compareAndSwap)
    {
        try
        {
            await compareAndSwap.ConfigureAwait(false);
        }
        catch (InconsistentStateException conflict)
        {
            LogConflict(Logger, Name, operation, key.ToString(), conflict.StoredEtag, conflict.CurrentEtag);
            throw;
        }
    }

    private T Deserialize<T>(GrainStorageKey key, string json)
    {
        try
        {
            return Serializer.DeserializeText<T>(json);
        }
        catch (JsonException ex)
        {
            throw new InvalidOperationException(
                $"Grain storage '{Name}' cannot read {key} as {typeof(T).FullName}: {ex.Message} " +
                "Fix or clear the stored record, or make the state type accept the stored shape.", ex);
        }
    }

    private static string NewETag() => Guid.NewGuid().ToString("N");

    [LoggerMessage(Level = LogLevel.Warning, Message = "Grain storage '{Provider}' refused the {Operation} of {Key}: stored ETag {StoredETag}, expected {ExpectedETag}. The activation will re-read its state.")]
    private static partial void LogConflict(ILogger logger, string provider, string operation, string key, string? storedETag, string? expectedETag);
}
