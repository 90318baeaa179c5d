using Microsoft.Extensions.Options;
using OrleansTenancy.GrainInterfaces;
using OrleansTenancy.Tenancy.Memory;
using TenantContext = OrleansTenancy.Tenancy.TenantContext;

namespace OrleansTenancy.Grains.Workspaces;

/// <summary>
/// The memory namespaces and the response cache of one workspace (key: <c>tenant/workspace</c>).
/// </summary>
/// <remarks>
/// <para>
/// Ownership: this grain is the only place a workspace's memory is read or written, and it accepts only namespaces
/// with its own <c>&lt;tenant&gt;:&lt;workspace&gt;:</c> prefix, so a caller that reaches the wrong grain (or forges a
/// namespace) is refused rather than served another tenant's data. Resolving a missing context (strict or
/// <c>default:main</c>) is the caller's job; by the time a call arrives here the namespace is explicit.
/// </para>
/// <para>
/// Not reentrant: every mutation validates, applies and writes the whole state before the next call runs. A workspace
/// is not a hot path, so one write per mutation is affordable. A failed write re-reads storage, so memory never keeps a
/// change that was not persisted.
/// </para>
/// <para>
/// The response cache is deliberately volatile: it lives in the activation, so a deactivation (idle collection, silo
/// shutdown, placement change) empties it. Cached answers are an optimisation, and persisting them would turn every
/// cache fill into a storage write.
/// </para>
/// </remarks>
[GrainType("workspace")]
public sealed partial class WorkspaceGrain : Grain, IWorkspaceGrain
{
    /// <summary>The name of the persisted state.</summary>
    public const string StateName = "memory";

    private readonly IPersistentState<WorkspaceMemoryState> _state;
    private readonly TimeProvider _time;
    private readonly WorkspaceMemoryOptions _options;
    private readonly ResponseCache _cache;
    private TenantContext _context;
    private string _prefix = "";

    /// <summary>Creates the grain; Orleans supplies its state and services.</summary>
    public WorkspaceGrain(
        [PersistentState(StateName)] IPersistentState<WorkspaceMemoryState> state,
        TimeProvider time,
        IOptions<WorkspaceMemoryOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _state = state;
        _time = time;
        _options = options.Value;
        _cache = new ResponseCache(time, _options.MaxCacheEntries);
    }

    /// <inheritdoc />
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _context = WorkspaceGrainKey.Parse(this.GetPrimaryKeyString());
        // Derived from MemNs (minus a one-character name) so that what callers build and what is accepted here cannot drift apart.
        _prefix = TenantContext.MemNs(_context, "_")[..^1];
        _state.State.Namespaces ??= new(StringComparer.Ordinal);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public async Task<MemoryEntry> AddMemoryAsync(MemoryAddRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var memoryNamespace = CheckNamespace(request.Namespace);
        CheckText(request.Text);
        if (request.Id is not null)
        {
            CheckIdentifier(request.Id, "MemoryAddRequest.Id");
        }

        var metadata = CheckMetadata(request.Metadata);
        var namespaces = _state.State.Namespaces;
        var entries = namespaces.GetValueOrDefault(memoryNamespace);
        var index = request.Id is null || entries is null ? -1 : entries.FindIndex(e => string.Equals(e.Id, request.Id, StringComparison.Ordinal));
        if (entries is null && namespaces.Count >= _options.MaxNamespaces)
        {
            throw LimitExceeded(nameof(WorkspaceMemoryOptions.MaxNamespaces), namespaces.Count, _options.MaxNamespaces, $"cannot create namespace '{memoryNamespace}'");
        }

        var total = namespaces.Values.Sum(e => e.Count);
        if (index < 0 && total >= _options.MaxEntriesPerWorkspace)
        {
            throw LimitExceeded(nameof(WorkspaceMemoryOptions.MaxEntriesPerWorkspace), total, _options.MaxEntriesPerWorkspace, $"cannot add to '{memoryNamespace}'");
        }

        var now = _time.GetUtcNow();
        var stored = new StoredMemoryEntry
        {
            Id = request.Id ?? Guid.NewGuid().ToString("N"),
            Text = request.Text,
            Metadata = metadata,
            CreatedAt = index >= 0 ? entries![index].CreatedAt : now,
            UpdatedAt = now,
            Sequence = _state.State.Sequence + 1,
        };

        // A replaced entry moves to the end so that the list stays in write order (newest last).
        if (entries is null)
        {
            namespaces[memoryNamespace] = entries = [];
        }
        else if (index >= 0)
        {
            entries.RemoveAt(index);
        }

        entries.Add(stored);
        _state.State.Sequence = stored.Sequence;
        await PersistAsync();
        return ToEntry(memoryNamespace, stored);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<MemoryEntry>> RetrieveAsync(MemoryQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        var memoryNamespace = CheckNamespace(query.Namespace);
        if (query.Limit is < 1 or > MemoryQuery.MaxLimit)
        {
            throw new ArgumentOutOfRangeException(
                nameof(query), query.Limit, $"MemoryQuery.Limit is {query.Limit}; it must be between 1 and {MemoryQuery.MaxLimit}.");
        }

        var filter = query.Metadata ?? new Dictionary<string, string>();
        if (filter.Any(p => p.Value is null))
        {
            throw new ArgumentException(
                $"MemoryQuery.Metadata has a key without a value for workspace '{Workspace}'; give every filter key a value to match.", nameof(query));
        }

        var results = new List<MemoryEntry>(Math.Min(query.Limit, 16));
        if (_state.State.Namespaces.TryGetValue(memoryNamespace, out var entries))
        {
            for (var i = entries.Count - 1; i >= 0 && results.Count < query.Limit; i--)
            {
                var entry = entries[i];
                if ((string.IsNullOrEmpty(query.Contains) || entry.Text.Contains(query.Contains, StringComparison.OrdinalIgnoreCase))
                    && MatchesMetadata(entry.Metadata, filter))
                {
                    results.Add(ToEntry(memoryNamespace, entry));
                }
            }
        }

        return Task.FromResult<IReadOnlyList<MemoryEntry>>(results);
    }

    /// <inheritdoc />
    public async Task<bool> DeleteAsync(string memoryNamespace, string id)
    {
        var checkedNamespace = CheckNamespace(memoryNamespace);
        CheckIdentifier(id, "id");
        if (!_state.State.Namespaces.TryGetValue(checkedNamespace, out var entries)
            || entries.RemoveAll(e => string.Equals(e.Id, id, StringComparison.Ordinal)) == 0)
        {
            return false;
        }

        if (entries.Count == 0)
        {
            _state.State.Namespaces.Remove(checkedNamespace);
        }

        await PersistAsync();
        return true;
    }

    /// <inheritdoc />
    public async Task<int> DeleteNamespaceAsync(string memoryNamespace)
    {
        var checkedNamespace = CheckNamespace(memoryNamespace);
        if (!_state.State.Namespaces.Remove(checkedNamespace, out var entries))
        {
            return 0;
        }

        await PersistAsync();
        return entries.Count;
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<MemoryNamespaceInfo>> ListNamespacesAsync() =>
        Task.FromResult<IReadOnlyList<MemoryNamespaceInfo>>(
            [.. _state.State.Namespaces
                .Where(p => p.Value.Count > 0)
                .OrderBy(p => p.Key, StringComparer.Ordinal)
                .Select(p => new MemoryNamespaceInfo(p.Key, p.Value.Count))]);

    private async Task PersistAsync()
    {
        try
        {
            await _state.WriteStateAsync();
        }
        catch
        {
            // The in-memory change was not persisted; drop it so the next call sees what storage holds.
            // If even the read fails the activation is left as is; an ETag conflict deactivates it anyway.
            try
            {
                await _state.ReadStateAsync();
                _state.State.Namespaces ??= new(StringComparer.Ordinal);
            }
            catch (Exception reloadFailure) when (reloadFailure is not OutOfMemoryException)
            {
                DeactivateOnIdle();
            }

            throw;
        }
    }

    private static MemoryEntry ToEntry(string memoryNamespace, StoredMemoryEntry stored) => new()
    {
        Namespace = memoryNamespace,
        Id = stored.Id,
        Text = stored.Text,
        Metadata = new Dictionary<string, string>(stored.Metadata, StringComparer.Ordinal),
        CreatedAt = stored.CreatedAt,
        UpdatedAt = stored.UpdatedAt,
    };

    private static bool MatchesMetadata(Dictionary<string, string> metadata, IReadOnlyDictionary<string, string> filter)
    {
        foreach (var (key, value) in filter)
        {
            var matched = false;
            foreach (var (storedKey, storedValue) in metadata)
            {
                if (string.Equals(storedKey, key, StringComparison.OrdinalIgnoreCase))
                {
                    matched = string.Equals(storedValue, value, StringComparison.OrdinalIgnoreCase);
                    break;
                }
            }

            if (!matched)
            {
                return false;
            }
        }

        return true;
    }
}
