using System.Text.Json;
using OrleansTenancy.Cli.Commands;

namespace OrleansTenancy.Cli.Tests;

/// <summary><c>tenancy tenants add|update|remove</c> of the built tool against a real silo.</summary>
[Collection(SiloCollection.Name)]
public sealed class TenantsCommandTests(SiloFixture silo)
{
    [Fact]
    public async Task Add_registers_a_runtime_tenant_that_tenants_lists_with_its_source_update_replaces_it_and_remove_takes_it_out()
    {
        var id = $"cli-{Guid.NewGuid():N}"[..16];

        var added = await silo.RunAsync("tenants", "add", id, "--name", "Cli Runtime", "--workspace", "main", "ops", "--daily-cap-usd", "3", "--enforcement", "hard", "--inherit-global", "false");

        Assert.Equal(ExitCodes.Ok, added.ExitCode);
        Assert.Equal("", added.Stderr.Trim());
        Assert.Contains($"{id} (Cli Runtime), source runtime, workspaces main, ops", added.Stdout);
        Assert.Contains("daily $3.00", added.Stdout);
        var listed = await silo.RunAsync("tenants", "--json");
        var tenant = JsonDocument.Parse(listed.Stdout).RootElement.GetProperty("tenants").EnumerateArray().Single(t => t.GetProperty("slug").GetString() == id);
        Assert.Equal("runtime", tenant.GetProperty("source").GetString());
        Assert.Equal(3m, tenant.GetProperty("limits").GetProperty("daily_cap_usd").GetDecimal());
        Assert.Contains(Lines((await silo.RunAsync("tenants")).Stdout), l => l.Contains(id, StringComparison.Ordinal) && l.Contains("runtime", StringComparison.Ordinal));

        var updated = await silo.RunAsync("tenants", "update", id, "--name", "Renamed", "--monthly-tokens", "5000", "--json");

        Assert.Equal(ExitCodes.Ok, updated.ExitCode);
        var body = JsonDocument.Parse(updated.Stdout).RootElement;
        Assert.Equal("Renamed", body.GetProperty("name").GetString());
        Assert.Equal(["main"], body.GetProperty("workspaces").EnumerateArray().Select(w => w.GetString()));
        Assert.Equal(5000, body.GetProperty("limits").GetProperty("monthly_tokens").GetInt64());
        Assert.False(body.GetProperty("limits").TryGetProperty("daily_cap_usd", out _));

        var removed = await silo.RunAsync("tenants", "remove", id);
        var again = await silo.RunAsync("tenants", "remove", id);

        Assert.Equal(ExitCodes.Ok, removed.ExitCode);
        Assert.Contains($"Removed runtime tenant {id}.", removed.Stdout);
        Assert.Equal(ExitCodes.NotFound, again.ExitCode);
        Assert.Equal("", again.Stdout);
        Assert.Contains($"'{id}'", again.Stderr);
    }

    [Fact]
    public async Task Adding_an_id_of_the_tenants_folder_exits_1_naming_the_id_and_its_source_on_stderr()
    {
        var (exitCode, output, errors) = await silo.RunAsync("tenants", "add", "acme");

        Assert.Equal(ExitCodes.Refused, exitCode);
        Assert.Equal("", output);
        Assert.Contains("Refused (409): Tenant id in use", errors);
        Assert.Contains("'acme'", errors);
        Assert.Contains("tenants folder", errors);
    }

    [Fact]
    public async Task A_bad_id_or_limit_exits_1_with_the_field_on_stderr_and_updating_or_removing_a_yaml_tenant_is_refused()
    {
        var badId = await silo.RunAsync("tenants", "add", "Not_A_Slug");
        var badLimits = await silo.RunAsync("tenants", "add", "cli-bad-limits", "--daily-cap-usd", "20", "--monthly-cap-usd", "5");
        var updateYaml = await silo.RunAsync("tenants", "update", "acme", "--name", "x");
        var removeYaml = await silo.RunAsync("tenants", "remove", "acme");

        Assert.Equal(ExitCodes.Refused, badId.ExitCode);
        Assert.Contains("Tenant id 'Not_A_Slug' is not valid", badId.Stderr);
        Assert.Equal(ExitCodes.Refused, badLimits.ExitCode);
        Assert.Contains("monthly_cap_usd (5) must not be below daily_cap_usd (20)", badLimits.Stderr);
        Assert.Equal(ExitCodes.Refused, updateYaml.ExitCode);
        Assert.Contains("tenants folder", updateYaml.Stderr);
        Assert.Equal(ExitCodes.Refused, removeYaml.ExitCode);
        Assert.Contains("source yaml", removeYaml.Stderr);
        Assert.DoesNotContain("cli-bad-limits", (await silo.RunAsync("tenants")).Stdout);
    }

    private static string[] Lines(string text) => text.Split('\n');
}
