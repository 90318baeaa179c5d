using OrleansTenancy.GrainInterfaces;
using TenantContext = OrleansTenancy.Tenancy.TenantContext;

namespace OrleansTenancy.Grains.Tests.Workspaces;

[Collection(WorkspaceClusterCollection.Name)]
public sealed class WorkspaceLifecycleTests(WorkspaceClusterFixture fixture)
{
    [Fact]
    public async Task Memory_survives_deactivation_but_the_response_cache_is_volatile_by_design()
    {
        var ctx = WorkspaceClusterFixture.NewContext();
        var grain = fixture.Grain(ctx);
        var ns = TenantContext.MemNs(ctx, "kb");
        var added = await grain.AddMemoryAsync(new MemoryAddRequest { Namespace = ns, Id = "fact", Text = "the sky is blue", Metadata = new Dictionary<string, string> { ["src"] = "obs" } });
        await grain.PutCachedAsync("k", new CachedResponse { Payload = "cached", Model = "m" }, TimeSpan.FromHours(2));
        var readsBefore = fixture.Storage.Reads;

        await fixture.DeactivateAsync(ctx);

        // The cache TTL (2 h) has not passed; the entry is gone only because the activation was replaced.
        Assert.Null(await grain.TryGetCachedAsync("k"));
        Assert.True(fixture.Storage.Reads > readsBefore, "the new activation should have read its state from storage");
        var entries = await grain.RetrieveAsync(new MemoryQuery { Namespace = ns });
        var entry = Assert.Single(entries);
        Assert.Equal((added.Id, added.Text, added.CreatedAt, added.UpdatedAt), (entry.Id, entry.Text, entry.CreatedAt, entry.UpdatedAt));
        Assert.Equal("obs", entry.Metadata["src"]);

        // Write order survives too: a new entry is newer than the reloaded one.
        await grain.AddMemoryAsync(new MemoryAddRequest { Namespace = ns, Text = "grass is green" });
        Assert.Equal(["grass is green", "the sky is blue"], (await grain.RetrieveAsync(new MemoryQuery { Namespace = ns })).Select(e => e.Text));
    }

    [Fact]
    public async Task A_failed_write_leaves_no_trace_of_the_change()
    {
        var ctx = WorkspaceClusterFixture.NewContext();
        var grain = fixture.Grain(ctx);
        var ns = TenantContext.MemNs(ctx, "kb");
        await grain.AddMemoryAsync(new MemoryAddRequest { Namespace = ns, Id = "kept", Text = "kept" });

        fixture.Storage.FailNextWrite();
        var failed = await Assert.ThrowsAsync<OrleansException>(() => grain.AddMemoryAsync(new MemoryAddRequest { Namespace = TenantContext.MemNs(ctx, "new"), Text = "lost" }));
        Assert.Contains("failed on purpose", failed.Message, StringComparison.Ordinal);
        Assert.Equal([new MemoryNamespaceInfo(ns, 1)], await grain.ListNamespacesAsync());

        fixture.Storage.FailNextWrite();
        await Assert.ThrowsAsync<OrleansException>(() => grain.DeleteAsync(ns, "kept"));
        Assert.Equal(["kept"], (await grain.RetrieveAsync(new MemoryQuery { Namespace = ns })).Select(e => e.Text));

        // What the grain reports matches storage: a fresh activation sees the same.
        await fixture.DeactivateAsync(ctx);
        Assert.Equal([new MemoryNamespaceInfo(ns, 1)], await grain.ListNamespacesAsync());
    }
}
