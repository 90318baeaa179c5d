using System.Globalization;
using OrleansTenancy.GrainInterfaces;

namespace OrleansTenancy.Grains.Workspaces;

public sealed partial class WorkspaceGrain
{
    /// <summary>The longest accepted cache key (a <c>ResponseCacheKey</c> is 64 characters).</summary>
    public const int MaxCacheKeyLength = 256;

    /// <inheritdoc />
    public Task<CachedResponse?> TryGetCachedAsync(string cacheKey)
    {
        CheckCacheKey(cacheKey);
        return Task.FromResult(_cache.TryGet(cacheKey));
    }

    /// <inheritdoc />
    public Task<CachedResponse> PutCachedAsync(string cacheKey, CachedResponse response, TimeSpan ttl)
    {
        CheckCacheKey(cacheKey);
        ArgumentNullException.ThrowIfNull(response);
        if (string.IsNullOrEmpty(response.Payload))
        {
            throw new ArgumentException($"CachedResponse.Payload is empty; workspace '{Workspace}' caches only non-empty responses.", nameof(response));
        }

        if (ttl <= TimeSpan.Zero || ttl > _options.MaxCacheTtl)
        {
            throw new ArgumentOutOfRangeException(
                nameof(ttl), ttl, string.Create(CultureInfo.InvariantCulture, $"The cache TTL {ttl} for workspace '{Workspace}' must be positive and at most WorkspaceMemoryOptions.MaxCacheTtl = {_options.MaxCacheTtl}."));
        }

        if (response.Payload.Length > _options.MaxCachePayloadLength)
        {
            throw LimitExceeded(nameof(WorkspaceMemoryOptions.MaxCachePayloadLength), response.Payload.Length, _options.MaxCachePayloadLength, "the cached payload is too long (characters)");
        }

        var now = _time.GetUtcNow();
        var stored = response with { CreatedAt = now };
        _cache.Put(cacheKey, stored, now + ttl);
        return Task.FromResult(stored);
    }

    private void CheckCacheKey(string? cacheKey)
    {
        if (string.IsNullOrWhiteSpace(cacheKey) || cacheKey.Length > MaxCacheKeyLength)
        {
            throw new ArgumentException(
                $"Cache key '{Printable(cacheKey ?? "")}' for workspace '{Workspace}' is not valid: use 1 to {MaxCacheKeyLength} characters (ResponseCacheKey.Compute).",
                nameof(cacheKey));
        }
    }
}
