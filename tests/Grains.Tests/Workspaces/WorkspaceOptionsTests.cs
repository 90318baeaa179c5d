using Microsoft.Extensions.Options;
using OrleansTenancy.GrainInterfaces;
using OrleansTenancy.Grains.Workspaces;
using OrleansTenancy.Grains.Tests.Infrastructure;
using OrleansTenancy.Tenancy.Memory;
using TenantContext = OrleansTenancy.Tenancy.TenantContext;

namespace OrleansTenancy.Grains.Tests.Workspaces;

public sealed class WorkspaceOptionsTests
{
    [Fact]
    public void Defaults_are_valid_and_each_bad_value_is_named_with_its_range()
    {
        var validator = new WorkspaceMemoryOptionsValidator();
        Assert.True(validator.Validate(null, new WorkspaceMemoryOptions()).Succeeded);

        var result = validator.Validate(null, new WorkspaceMemoryOptions { MaxNamespaces = 0, MaxMetadataPairs = -1, MaxCacheTtl = TimeSpan.Zero });
        Assert.Equal(
            [
                "WorkspaceMemoryOptions.MaxNamespaces is 0; it must be at least 1.",
                "WorkspaceMemoryOptions.MaxMetadataPairs is -1; it must be at least 0.",
                "WorkspaceMemoryOptions.MaxCacheTtl is 00:00:00; it must be positive.",
            ],
            result.Failures);
    }

    [Fact]
    public async Task A_silo_with_invalid_workspace_options_does_not_start()
    {
        var start = TestClusters.StartAsync(1, TimeProvider.System, silo =>
        {
            silo.AddTestGrainStorage();
            silo.Services.AddWorkspaceMemory(o => o.MaxCacheEntries = 0);
        });

        var failure = await Assert.ThrowsAnyAsync<Exception>(() => start);
        Assert.Contains("WorkspaceMemoryOptions.MaxCacheEntries is 0", failure.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Workspace_grain_keys_round_trip_and_name_the_bad_part()
    {
        Assert.Equal("acme/support", WorkspaceGrainKey.Format(new TenantContext("acme", "support")));
        Assert.Equal(new TenantContext("acme", "support"), WorkspaceGrainKey.Parse("acme/support"));
        var bad = Assert.Throws<ArgumentException>(() => WorkspaceGrainKey.Parse("acme/Support_1"));
        Assert.Contains("workspace 'Support_1', which is not a slug", bad.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => WorkspaceGrainKey.Parse("acme/support/x"));
        Assert.Throws<ArgumentException>(() => WorkspaceGrainKey.Format(default));
    }
}

public sealed class WorkspaceDefaultOptionsTests
{
    [Fact]
    public async Task Without_AddWorkspaceMemory_the_grain_runs_on_the_documented_defaults()
    {
        await using var cluster = await TestClusters.StartAsync(1, TimeProvider.System, silo => silo.AddTestGrainStorage());
        var ctx = new TenantContext("acme", "support");
        var grain = cluster.Client.GetGrain<IWorkspaceGrain>(WorkspaceGrainKey.Format(ctx));
        var ns = TenantContext.MemNs(ctx, "kb");

        await grain.AddMemoryAsync(new MemoryAddRequest { Namespace = ns, Text = new string('x', 32 * 1024) });
        var tooLong = await Assert.ThrowsAsync<MemoryLimitExceededException>(() => grain.AddMemoryAsync(new MemoryAddRequest { Namespace = ns, Text = new string('x', (32 * 1024) + 1) }));
        Assert.Contains("WorkspaceMemoryOptions.MaxTextLength = 32768", tooLong.Message, StringComparison.Ordinal);
    }
}
