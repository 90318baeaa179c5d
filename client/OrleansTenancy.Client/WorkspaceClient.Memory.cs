using OrleansTenancy.GrainInterfaces;

namespace OrleansTenancy.Client;

public sealed partial class WorkspaceClient
{
    /// <summary>
    /// The full memory namespace of <paramref name="name"/> in this workspace, <c>&lt;tenant&gt;:&lt;workspace&gt;:&lt;name&gt;</c>.
    /// Memory methods take the short name; entries come back with the full one.
    /// </summary>
    public string MemoryNamespace(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return $"{Context.Tenant}:{Context.Workspace}:{name}";
    }

    /// <summary>
    /// Remembers <paramref name="text"/> in the namespace <paramref name="name"/>, or replaces the entry with the same
    /// <paramref name="id"/>. Without an id one is chosen here, so a retried write never stores the entry twice.
    /// </summary>
    /// <returns>The stored entry, with its id.</returns>
    /// <exception cref="UnknownTenantException">The cluster does not know the tenant or the workspace.</exception>
    /// <exception cref="MemoryLimitExceededException">A size limit of the workspace would be exceeded; the message names it.</exception>
    /// <exception cref="ArgumentException">The text, id or metadata is not valid; the message names it.</exception>
    public Task<MemoryEntry> AddMemoryAsync(
        string name, string text, IReadOnlyDictionary<string, string>? metadata = null, string? id = null, CancellationToken cancellationToken = default)
    {
        var request = new MemoryAddRequest { Namespace = MemoryNamespace(name), Text = text, Metadata = metadata, Id = id ?? Guid.NewGuid().ToString("N") };
        return _client.Calls.RunAsync("AddMemory", () => Service.AddMemoryAsync(Context.Workspace, request), cancellationToken);
    }

    /// <summary>
    /// Entries of the namespace <paramref name="name"/>, newest first: those whose text contains
    /// <paramref name="contains"/> (ignoring case) and that have every <paramref name="metadata"/> pair, when given.
    /// </summary>
    /// <param name="name">The namespace's short name.</param>
    /// <param name="contains">A substring the text must hold, or none.</param>
    /// <param name="metadata">Pairs the entry must have, or none.</param>
    /// <param name="limit">The most entries returned, 1 to <see cref="MemoryQuery.MaxLimit"/>.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <exception cref="UnknownTenantException">The cluster does not know the tenant or the workspace.</exception>
    public Task<IReadOnlyList<MemoryEntry>> RetrieveMemoryAsync(
        string name, string? contains = null, IReadOnlyDictionary<string, string>? metadata = null, int limit = MemoryQuery.DefaultLimit,
        CancellationToken cancellationToken = default)
    {
        var query = new MemoryQuery { Namespace = MemoryNamespace(name), Contains = contains, Metadata = metadata, Limit = limit };
        return _client.Calls.RunAsync("RetrieveMemory", () => Service.RetrieveMemoryAsync(Context.Workspace, query), cancellationToken);
    }

    /// <summary>
    /// Deletes one entry; <see langword="false"/> when the namespace holds no entry with that id (also when an attempt
    /// that this client retried had already deleted it).
    /// </summary>
    /// <exception cref="UnknownTenantException">The cluster does not know the tenant or the workspace.</exception>
    public Task<bool> DeleteMemoryAsync(string name, string id, CancellationToken cancellationToken = default)
    {
        var memoryNamespace = MemoryNamespace(name);
        return _client.Calls.RunAsync("DeleteMemory", () => Service.DeleteMemoryAsync(Context.Workspace, memoryNamespace, id), cancellationToken);
    }

    /// <summary>Deletes the whole namespace <paramref name="name"/>; returns how many entries it held.</summary>
    /// <exception cref="UnknownTenantException">The cluster does not know the tenant or the workspace.</exception>
    public Task<int> DeleteMemoryNamespaceAsync(string name, CancellationToken cancellationToken = default)
    {
        var memoryNamespace = MemoryNamespace(name);
        return _client.Calls.RunAsync("DeleteMemoryNamespace", () => Service.DeleteMemoryNamespaceAsync(Context.Workspace, memoryNamespace), cancellationToken);
    }

    /// <summary>The workspace's namespaces that hold entries (full names), with their entry counts, ordered by name.</summary>
    /// <exception cref="UnknownTenantException">The cluster does not know the tenant or the workspace.</exception>
    public Task<IReadOnlyList<MemoryNamespaceInfo>> ListMemoryNamespacesAsync(CancellationToken cancellationToken = default) =>
        _client.Calls.RunAsync("ListMemoryNamespaces", () => Service.ListMemoryNamespacesAsync(Context.Workspace), cancellationToken);

    private ITenantServiceGrain Service => _client.Cluster.GetGrain<ITenantServiceGrain>(Context.Tenant);
}
