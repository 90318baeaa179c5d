using OrleansTenancy.GrainInterfaces;

namespace OrleansTenancy.Grains.Tests.Workspaces;

/// <summary>Cache limits of the fixture: 3 entries, payload 64 characters, TTL at most 2 hours.</summary>
[Collection(WorkspaceClusterCollection.Name)]
public sealed class WorkspaceCacheTests(WorkspaceClusterFixture fixture)
{
    private static CachedResponse Response(string payload) => new()
    {
        Payload = payload,
        Model = "openai/gpt-4o-mini",
        Provider = "OpenAI",
        PromptTokens = 12,
        CompletionTokens = 34,
        CostUsd = 0.000123m,
        CreatedAt = DateTimeOffset.UnixEpoch,
    };

    [Fact]
    public async Task A_put_response_is_a_hit_until_its_ttl_passes()
    {
        var grain = fixture.Grain(WorkspaceClusterFixture.NewContext());
        Assert.Null(await grain.TryGetCachedAsync("k1"));

        var stored = await grain.PutCachedAsync("k1", Response("{\"answer\":42}"), TimeSpan.FromMinutes(5));
        Assert.Equal(fixture.Time.GetUtcNow(), stored.CreatedAt);

        Assert.Equal(stored, await grain.TryGetCachedAsync("k1"));
        Assert.Null(await grain.TryGetCachedAsync("k2"));

        fixture.Time.Advance(TimeSpan.FromMinutes(5) - TimeSpan.FromTicks(1));
        Assert.Equal(stored, await grain.TryGetCachedAsync("k1"));
        fixture.Time.Advance(TimeSpan.FromTicks(1));
        Assert.Null(await grain.TryGetCachedAsync("k1"));
    }

    [Fact]
    public async Task A_full_cache_evicts_the_least_recently_used_response()
    {
        var grain = fixture.Grain(WorkspaceClusterFixture.NewContext());
        var ttl = TimeSpan.FromHours(1);
        await grain.PutCachedAsync("a", Response("A"), ttl);
        await grain.PutCachedAsync("b", Response("B"), ttl);
        await grain.PutCachedAsync("c", Response("C"), ttl);
        Assert.NotNull(await grain.TryGetCachedAsync("a"));

        await grain.PutCachedAsync("d", Response("D"), ttl);

        Assert.Null(await grain.TryGetCachedAsync("b"));
        Assert.Equal("A", (await grain.TryGetCachedAsync("a"))?.Payload);
        Assert.Equal("C", (await grain.TryGetCachedAsync("c"))?.Payload);
        Assert.Equal("D", (await grain.TryGetCachedAsync("d"))?.Payload);
    }

    [Fact]
    public async Task A_full_cache_drops_expired_responses_before_used_ones_and_a_put_replaces_the_same_key()
    {
        var grain = fixture.Grain(WorkspaceClusterFixture.NewContext());
        await grain.PutCachedAsync("short", Response("S"), TimeSpan.FromMinutes(1));
        await grain.PutCachedAsync("b", Response("B"), TimeSpan.FromHours(1));
        await grain.PutCachedAsync("c", Response("C"), TimeSpan.FromHours(1));
        Assert.NotNull(await grain.TryGetCachedAsync("short"));
        fixture.Time.Advance(TimeSpan.FromMinutes(2));

        await grain.PutCachedAsync("d", Response("D"), TimeSpan.FromHours(1));
        Assert.Equal("B", (await grain.TryGetCachedAsync("b"))?.Payload);

        await grain.PutCachedAsync("b", Response("B2"), TimeSpan.FromHours(1));
        Assert.Equal("B2", (await grain.TryGetCachedAsync("b"))?.Payload);
        Assert.Equal("C", (await grain.TryGetCachedAsync("c"))?.Payload);
        Assert.Equal("D", (await grain.TryGetCachedAsync("d"))?.Payload);
    }

    [Fact]
    public async Task Workspaces_never_see_each_others_cached_responses()
    {
        var one = fixture.Grain(WorkspaceClusterFixture.NewContext());
        var two = fixture.Grain(WorkspaceClusterFixture.NewContext());
        await one.PutCachedAsync("same-key", Response("one"), TimeSpan.FromHours(1));

        Assert.Null(await two.TryGetCachedAsync("same-key"));
        Assert.Equal("one", (await one.TryGetCachedAsync("same-key"))?.Payload);
    }

    [Fact]
    public async Task Oversized_payloads_bad_ttls_and_bad_keys_are_refused()
    {
        var ctx = WorkspaceClusterFixture.NewContext();
        var grain = fixture.Grain(ctx);

        var big = await Assert.ThrowsAsync<MemoryLimitExceededException>(() => grain.PutCachedAsync("k", Response(new string('p', 65)), TimeSpan.FromMinutes(1)));
        Assert.Contains($"Workspace '{ctx}'", big.Message, StringComparison.Ordinal);
        Assert.Contains("65 reaches or exceeds WorkspaceMemoryOptions.MaxCachePayloadLength = 64", big.Message, StringComparison.Ordinal);

        var zero = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => grain.PutCachedAsync("k", Response("p"), TimeSpan.Zero));
        Assert.Contains("MaxCacheTtl = 02:00:00", zero.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => grain.PutCachedAsync("k", Response("p"), TimeSpan.FromHours(3)));
        await Assert.ThrowsAsync<ArgumentException>(() => grain.PutCachedAsync("", Response("p"), TimeSpan.FromMinutes(1)));
        await Assert.ThrowsAsync<ArgumentException>(() => grain.TryGetCachedAsync(new string('k', 257)));
        Assert.Null(await grain.TryGetCachedAsync("k"));
    }
}
