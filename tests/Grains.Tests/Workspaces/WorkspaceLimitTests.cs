using OrleansTenancy.GrainInterfaces;
using TenantContext = OrleansTenancy.Tenancy.TenantContext;

namespace OrleansTenancy.Grains.Tests.Workspaces;

/// <summary>Limits of the fixture: 12 entries, 3 namespaces, text 100, 3 metadata pairs, key 16, value 32.</summary>
[Collection(WorkspaceClusterCollection.Name)]
public sealed class WorkspaceLimitTests(WorkspaceClusterFixture fixture)
{
    [Fact]
    public async Task The_entry_limit_counts_all_namespaces_and_replacing_an_entry_does_not_count()
    {
        var ctx = WorkspaceClusterFixture.NewContext();
        var grain = fixture.Grain(ctx);
        for (var i = 0; i < 12; i++)
        {
            await grain.AddMemoryAsync(new MemoryAddRequest { Namespace = TenantContext.MemNs(ctx, $"n{i % 2}"), Id = $"e{i}", Text = $"entry {i}" });
        }

        var full = await Assert.ThrowsAsync<MemoryLimitExceededException>(
            () => grain.AddMemoryAsync(new MemoryAddRequest { Namespace = TenantContext.MemNs(ctx, "n0"), Text = "one too many" }));
        Assert.Equal(
            $"Workspace '{ctx}': cannot add to '{ctx}:n0': 12 reaches or exceeds WorkspaceMemoryOptions.MaxEntriesPerWorkspace = 12. "
            + "Delete entries or namespaces, or raise the limit in the silo's configuration.",
            full.Message);

        var replaced = await grain.AddMemoryAsync(new MemoryAddRequest { Namespace = TenantContext.MemNs(ctx, "n0"), Id = "e0", Text = "replaced" });
        Assert.Equal("replaced", replaced.Text);

        Assert.True(await grain.DeleteAsync(TenantContext.MemNs(ctx, "n1"), "e1"));
        await grain.AddMemoryAsync(new MemoryAddRequest { Namespace = TenantContext.MemNs(ctx, "n0"), Text = "fits again" });
        Assert.Equal(12, (await grain.ListNamespacesAsync()).Sum(n => n.EntryCount));
    }

    [Fact]
    public async Task The_namespace_limit_refuses_a_new_namespace_but_not_a_known_one()
    {
        var ctx = WorkspaceClusterFixture.NewContext();
        var grain = fixture.Grain(ctx);
        foreach (var name in new[] { "a", "b", "c" })
        {
            await grain.AddMemoryAsync(new MemoryAddRequest { Namespace = TenantContext.MemNs(ctx, name), Text = name });
        }

        var full = await Assert.ThrowsAsync<MemoryLimitExceededException>(
            () => grain.AddMemoryAsync(new MemoryAddRequest { Namespace = TenantContext.MemNs(ctx, "d"), Text = "d" }));
        Assert.Contains($"cannot create namespace '{ctx}:d': 3 reaches or exceeds WorkspaceMemoryOptions.MaxNamespaces = 3", full.Message, StringComparison.Ordinal);

        await grain.AddMemoryAsync(new MemoryAddRequest { Namespace = TenantContext.MemNs(ctx, "a"), Text = "a2" });
        Assert.Equal(1, await grain.DeleteNamespaceAsync(TenantContext.MemNs(ctx, "b")));
        await grain.AddMemoryAsync(new MemoryAddRequest { Namespace = TenantContext.MemNs(ctx, "d"), Text = "d" });
    }

    [Fact]
    public async Task Text_and_metadata_sizes_are_limited_and_the_message_names_limit_value_and_workspace()
    {
        var ctx = WorkspaceClusterFixture.NewContext();
        var grain = fixture.Grain(ctx);
        var ns = TenantContext.MemNs(ctx, "n");

        await grain.AddMemoryAsync(new MemoryAddRequest { Namespace = ns, Text = new string('x', 100) });
        var text = await Assert.ThrowsAsync<MemoryLimitExceededException>(() => grain.AddMemoryAsync(new MemoryAddRequest { Namespace = ns, Text = new string('x', 101) }));
        Assert.Contains($"Workspace '{ctx}'", text.Message, StringComparison.Ordinal);
        Assert.Contains("101 reaches or exceeds WorkspaceMemoryOptions.MaxTextLength = 100", text.Message, StringComparison.Ordinal);

        var pairs = await Assert.ThrowsAsync<MemoryLimitExceededException>(() => grain.AddMemoryAsync(new MemoryAddRequest
        {
            Namespace = ns,
            Text = "x",
            Metadata = new Dictionary<string, string> { ["a"] = "1", ["b"] = "2", ["c"] = "3", ["d"] = "4" },
        }));
        Assert.Contains("4 reaches or exceeds WorkspaceMemoryOptions.MaxMetadataPairs = 3", pairs.Message, StringComparison.Ordinal);

        var key = await Assert.ThrowsAsync<MemoryLimitExceededException>(() => grain.AddMemoryAsync(new MemoryAddRequest
        {
            Namespace = ns,
            Text = "x",
            Metadata = new Dictionary<string, string> { [new string('k', 17)] = "1" },
        }));
        Assert.Contains("17 reaches or exceeds WorkspaceMemoryOptions.MaxMetadataKeyLength = 16", key.Message, StringComparison.Ordinal);

        var value = await Assert.ThrowsAsync<MemoryLimitExceededException>(() => grain.AddMemoryAsync(new MemoryAddRequest
        {
            Namespace = ns,
            Text = "x",
            Metadata = new Dictionary<string, string> { ["k"] = new string('v', 33) },
        }));
        Assert.Contains("the value of metadata 'k' is too long: 33 reaches or exceeds WorkspaceMemoryOptions.MaxMetadataValueLength = 32", value.Message, StringComparison.Ordinal);

        Assert.Equal([new MemoryNamespaceInfo(ns, 1)], await grain.ListNamespacesAsync());
    }
}
