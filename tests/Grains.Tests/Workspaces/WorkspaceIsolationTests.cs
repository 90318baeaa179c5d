using OrleansTenancy.GrainInterfaces;
using TenantContext = OrleansTenancy.Tenancy.TenantContext;

namespace OrleansTenancy.Grains.Tests.Workspaces;

[Collection(WorkspaceClusterCollection.Name)]
public sealed class WorkspaceIsolationTests(WorkspaceClusterFixture fixture)
{
    [Fact]
    public async Task Each_workspace_sees_only_its_own_memory_and_is_refused_the_other_tenants_namespace()
    {
        var t1w1 = WorkspaceClusterFixture.NewContext("t1");
        var t2w2 = WorkspaceClusterFixture.NewContext("t2");
        var mine = fixture.Grain(t1w1);
        var theirs = fixture.Grain(t2w2);
        var myNs = TenantContext.MemNs(t1w1, "kb");
        var theirNs = TenantContext.MemNs(t2w2, "kb");
        await mine.AddMemoryAsync(new MemoryAddRequest { Namespace = myNs, Text = "t1 secret" });
        await theirs.AddMemoryAsync(new MemoryAddRequest { Namespace = theirNs, Text = "t2 secret" });

        Assert.Equal(["t1 secret"], (await mine.RetrieveAsync(new MemoryQuery { Namespace = myNs })).Select(e => e.Text));
        Assert.Equal([new MemoryNamespaceInfo(myNs, 1)], await mine.ListNamespacesAsync());

        var denied = await Assert.ThrowsAsync<NamespaceAccessDeniedException>(() => mine.RetrieveAsync(new MemoryQuery { Namespace = theirNs }));
        Assert.Equal(
            $"Memory namespace '{theirNs}' does not belong to workspace '{t1w1}'; only namespaces starting with '{t1w1}:' are served here.",
            denied.Message);
        await Assert.ThrowsAsync<NamespaceAccessDeniedException>(() => mine.AddMemoryAsync(new MemoryAddRequest { Namespace = theirNs, Text = "planted" }));
        await Assert.ThrowsAsync<NamespaceAccessDeniedException>(() => mine.DeleteNamespaceAsync(theirNs));
        await Assert.ThrowsAsync<NamespaceAccessDeniedException>(() => mine.DeleteAsync(theirNs, "any"));

        // Nothing the refused calls tried reached either workspace.
        Assert.Equal([new MemoryNamespaceInfo(theirNs, 1)], await theirs.ListNamespacesAsync());
        Assert.Equal([new MemoryNamespaceInfo(myNs, 1)], await mine.ListNamespacesAsync());
    }

    [Fact]
    public async Task Same_tenant_other_workspace_prefix_tricks_and_bare_names_are_refused()
    {
        var ctx = WorkspaceClusterFixture.NewContext();
        var grain = fixture.Grain(ctx);
        var sibling = new TenantContext(ctx.Tenant, ctx.Workspace + "x");
        string[] foreign =
        [
            TenantContext.MemNs(sibling, "kb"),
            $"{ctx.Tenant}:{ctx.Workspace}x:kb",
            $"{ctx.Tenant}x:{ctx.Workspace}:kb",
            $"{ctx.Tenant.ToUpperInvariant()}:{ctx.Workspace}:kb",
            "kb",
            $"{ctx.Tenant}:{ctx.Workspace}",
        ];

        foreach (var ns in foreign)
        {
            var denied = await Assert.ThrowsAsync<NamespaceAccessDeniedException>(() => grain.AddMemoryAsync(new MemoryAddRequest { Namespace = ns, Text = "x" }));
            Assert.Contains($"'{ns}'", denied.Message, StringComparison.Ordinal);
            Assert.Contains($"workspace '{ctx}'", denied.Message, StringComparison.Ordinal);
        }

        Assert.Empty(await grain.ListNamespacesAsync());
    }

    [Fact]
    public async Task The_refusal_keeps_its_type_and_message_when_the_caller_is_on_the_other_silo()
    {
        var ctx = WorkspaceClusterFixture.NewContext();
        var other = WorkspaceClusterFixture.NewContext();
        var remote = await fixture.GrainFromOtherSiloAsync(ctx);

        var denied = await Assert.ThrowsAsync<NamespaceAccessDeniedException>(
            () => remote.AddMemoryAsync(new MemoryAddRequest { Namespace = TenantContext.MemNs(other, "kb"), Text = "x" }));
        Assert.Contains($"does not belong to workspace '{ctx}'", denied.Message, StringComparison.Ordinal);

        // The other limit and argument failures cross silos with their types as well.
        var limit = await Assert.ThrowsAsync<MemoryLimitExceededException>(
            () => remote.AddMemoryAsync(new MemoryAddRequest { Namespace = TenantContext.MemNs(ctx, "kb"), Text = new string('x', 101) }));
        Assert.Contains("WorkspaceMemoryOptions.MaxTextLength = 100", limit.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ArgumentException>(
            () => remote.AddMemoryAsync(new MemoryAddRequest { Namespace = TenantContext.MemNs(ctx, "kb"), Text = "" }));
    }

    [Fact]
    public async Task A_key_that_is_not_two_slugs_fails_activation_with_a_clear_message()
    {
        var bad = fixture.Cluster.Client.GetGrain<IWorkspaceGrain>("Acme/support");
        var failure = await Assert.ThrowsAsync<ArgumentException>(() => bad.ListNamespacesAsync());
        Assert.Contains("tenant 'Acme', which is not a slug", failure.Message, StringComparison.Ordinal);

        var noSlash = fixture.Cluster.Client.GetGrain<IWorkspaceGrain>("acme:support");
        var noSlashFailure = await Assert.ThrowsAsync<ArgumentException>(() => noSlash.ListNamespacesAsync());
        Assert.Contains("must be 'tenant/workspace'", noSlashFailure.Message, StringComparison.Ordinal);
    }
}
