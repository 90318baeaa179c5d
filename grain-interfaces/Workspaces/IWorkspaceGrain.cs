using Orleans.Concurrency;

namespace OrleansTenancy.GrainInterfaces;

/// <summary>
/// One workspace of one tenant (key: <c>tenant/workspace</c>, both slugs). It owns the workspace's memory namespaces
/// <c>&lt;tenant&gt;:&lt;workspace&gt;:&lt;name&gt;</c> (persisted) and its response cache (volatile).
/// </summary>
/// <remarks>
/// Every memory call names its namespace explicitly; a namespace that does not start with this workspace's
/// <c>&lt;tenant&gt;:&lt;workspace&gt;:</c> prefix is refused with <see cref="NamespaceAccessDeniedException"/>.
/// Size limits are refused with <see cref="MemoryLimitExceededException"/>; malformed input with <see cref="ArgumentException"/>.
/// The response cache lives only in the activation: it is empty again after the grain is deactivated.
/// </remarks>
[Alias("OrleansTenancy.IWorkspaceGrain")]
public interface IWorkspaceGrain : IGrainWithStringKey
{
    /// <summary>
    /// Adds an entry to a namespace, or replaces the entry with the same <see cref="MemoryAddRequest.Id"/> (upsert).
    /// A replaced entry keeps its creation time and becomes the newest.
    /// </summary>
    /// <returns>The stored entry, with its id.</returns>
    [Alias("AddMemory")]
    Task<MemoryEntry> AddMemoryAsync(MemoryAddRequest request);

    /// <summary>
    /// Entries of one namespace matching the query (case-insensitive substring, case-insensitive metadata filter),
    /// newest first, at most <see cref="MemoryQuery.Limit"/>. An unknown namespace of this workspace yields none.
    /// </summary>
    [Alias("Retrieve")]
    [ReadOnly]
    Task<IReadOnlyList<MemoryEntry>> RetrieveAsync(MemoryQuery query);

    /// <summary>Deletes one entry; <see langword="false"/> when the namespace holds no entry with that id.</summary>
    [Alias("Delete")]
    Task<bool> DeleteAsync(string memoryNamespace, string id);

    /// <summary>Deletes a whole namespace; returns how many entries it held (zero when it did not exist).</summary>
    [Alias("DeleteNamespace")]
    Task<int> DeleteNamespaceAsync(string memoryNamespace);

    /// <summary>The namespaces of this workspace that hold entries, with their entry counts, ordered by name.</summary>
    [Alias("ListNamespaces")]
    [ReadOnly]
    Task<IReadOnlyList<MemoryNamespaceInfo>> ListNamespacesAsync();

    /// <summary>The cached response stored under <paramref name="cacheKey"/>, or <see langword="null"/> when absent or expired.</summary>
    /// <param name="cacheKey">Typically a <c>ResponseCacheKey.Compute</c> value.</param>
    [Alias("TryGetCached")]
    [ReadOnly]
    Task<CachedResponse?> TryGetCachedAsync(string cacheKey);

    /// <summary>
    /// Stores a response for <paramref name="ttl"/> (replacing any previous one under the key). When the cache is full,
    /// expired entries go first, then the least recently used one.
    /// </summary>
    /// <returns>The stored response, with <see cref="CachedResponse.CreatedAt"/> set by the grain's clock.</returns>
    [Alias("PutCached")]
    Task<CachedResponse> PutCachedAsync(string cacheKey, CachedResponse response, TimeSpan ttl);
}
