using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using OrleansTenancy.Cli.Commands;
using OrleansTenancy.Cli.Rendering;

namespace OrleansTenancy.Cli.Tests;

[Collection(SiloCollection.Name)]
public sealed class CliCommandTests(SiloFixture silo)
{
    [Fact]
    public async Task Tenants_lists_workspaces_guilds_limits_and_the_broken_tenants_load_error()
    {
        var (exitCode, output) = await silo.RunAsync("tenants");

        Assert.Equal(ExitCodes.Ok, exitCode);
        Assert.Contains("Acme Corp", output);
        Assert.Contains("main (1098765432109876543)", output);
        Assert.Contains("daily $10.00", Assert.Single(output.Split('\n'), l => l.Contains("Acme Corp", StringComparison.Ordinal)));
        Assert.Contains("monthly $100.00", output);
        var errorLine = Assert.Single(output.Split('\n'), l => l.Contains("broken", StringComparison.Ordinal) && l.Contains("tenant.yaml:", StringComparison.Ordinal));
        Assert.Contains(": error: ", errorLine);
    }

    [Fact]
    public async Task Budget_set_shows_the_override_in_budget_and_clear_removes_it()
    {
        var set = await silo.RunAsync("budget", "set", "beta", "--daily-cap-usd", "7", "--monthly-cap-usd", "70", "--enforcement", "soft");
        Assert.Equal(ExitCodes.Ok, set.ExitCode);

        var (exitCode, output) = await silo.RunAsync("budget", "beta");

        Assert.Equal(ExitCodes.Ok, exitCode);
        Assert.Contains("Override: daily $7.00, monthly $70.00, enforcement soft", output);
        Assert.Contains("enforcement soft", output.Split('\n')[0]);
        var dayRow = Assert.Single(output.Split('\n'), l => l.Contains("cost_usd", StringComparison.Ordinal) && l.Contains(" day ", StringComparison.Ordinal));
        Assert.Contains("$7.00", dayRow);
        Assert.Contains("0.0%", dayRow);

        var cleared = await silo.RunAsync("budget", "clear", "beta");
        Assert.Equal(ExitCodes.Ok, cleared.ExitCode);
        Assert.Contains("Override: none", cleared.Output);
        Assert.Contains("enforcement hard", cleared.Output.Split('\n')[0]);
    }

    [Fact]
    public async Task Budget_set_with_a_monthly_cap_below_the_daily_cap_exits_1_with_the_silos_reason()
    {
        var (exitCode, output) = await silo.RunAsync("budget", "set", "beta", "--daily-cap-usd", "20", "--monthly-cap-usd", "5");

        Assert.Equal(ExitCodes.Refused, exitCode);
        Assert.Contains("Refused (400): Invalid budget limits", output);
        Assert.Contains("monthly_cap_usd (5) must not be below daily_cap_usd (20)", output);
        Assert.Contains("Override: none", (await silo.RunAsync("budget", "beta")).Output);
    }

    [Fact]
    public async Task Usage_after_a_chat_call_shows_its_model_workspace_and_cost()
    {
        await ChatAsync();
        var json = await silo.RunAsync("usage", "acme", "--period", "this-month", "--json");
        Assert.Equal(ExitCodes.Ok, json.ExitCode);
        var totals = JsonDocument.Parse(json.Output).RootElement.GetProperty("totals");
        var cost = totals.GetProperty("cost_usd").GetDecimal();
        Assert.True(cost > 0m, $"expected a settled cost, got {cost}");

        var (exitCode, output) = await silo.RunAsync("usage", "acme", "--period", "this-month");

        Assert.Equal(ExitCodes.Ok, exitCode);
        Assert.Contains("By model", output);
        Assert.Contains(AdminRenderer.Usd(cost), Assert.Single(output.Split('\n'), l => l.Contains("openai/gpt-4o-mini", StringComparison.Ordinal)));
        Assert.Contains(AdminRenderer.Usd(cost), Assert.Single(output.Split('\n'), l => l.Contains(" main ", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Executions_all_follows_cursors_to_every_row()
    {
        await ChatAsync();
        await ChatAsync();
        var usage = await silo.RunAsync("usage", "acme", "--period", "this-month", "--json");
        var requests = JsonDocument.Parse(usage.Output).RootElement.GetProperty("totals").GetProperty("requests").GetInt64();

        var (exitCode, output) = await silo.RunAsync("executions", "acme", "--page-size", "1", "--all", "--json");

        Assert.Equal(ExitCodes.Ok, exitCode);
        var items = JsonDocument.Parse(output).RootElement.GetProperty("items");
        Assert.True(requests >= 2);
        Assert.Equal(requests, items.GetArrayLength());
        Assert.Equal(requests, items.EnumerateArray().Select(i => i.GetProperty("request_id").GetString()).Distinct().LongCount());

        var onePage = await silo.RunAsync("executions", "acme", "--page-size", "1");
        Assert.Contains("1 execution(s); more with --cursor", onePage.Output);
    }

    [Fact]
    public async Task Executions_show_a_refusal_with_its_reason()
    {
        using (var client = silo.Factory.CreateClient())
        using (var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = JsonContent.Create(new { model = "openai/gpt-4o", messages = new[] { new { role = "user", content = "hello" } } }),
        })
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", silo.AcmeKey);
            using var response = await client.SendAsync(request);
            Assert.Equal(System.Net.HttpStatusCode.Forbidden, response.StatusCode);
        }

        var (exitCode, output) = await silo.RunAsync("executions", "acme", "--page-size", "200");

        Assert.Equal(ExitCodes.Ok, exitCode);
        Assert.Contains("forbidden (model_not_allowed)", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reconcile_reload_and_health_succeed()
    {
        Assert.Contains("acme: every counter matched the ledger.", (await silo.RunAsync("reconcile", "acme")).Output);
        Assert.Contains("Acme Corp", (await silo.RunAsync("reload")).Output);
        var health = await silo.RunAsync("health");
        Assert.Equal(ExitCodes.Ok, health.ExitCode);
        Assert.StartsWith("ok: ", health.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_tenant_or_a_wrong_admin_key_exits_1_with_the_silos_answer()
    {
        var unknown = await silo.RunAsync("budget", "nobody");
        Assert.Equal(ExitCodes.Refused, unknown.ExitCode);
        Assert.Contains("Unknown tenant", unknown.Output);
        Assert.Contains("'nobody'", unknown.Output);

        var wrongKey = await silo.RunAsync("tenants", "--admin-key", "not-the-key");
        Assert.Equal(ExitCodes.Refused, wrongKey.ExitCode);
        Assert.Contains("--admin-key", wrongKey.Output);
    }

    [Theory]
    [InlineData("usage", "acme", "--period", "today", "--from", "2026-01-01", "--to", "2026-01-02")]
    [InlineData("usage", "acme", "--from", "2026-01-01")]
    [InlineData("usage", "acme", "--from", "01/01/2026", "--to", "2026-01-02")]
    [InlineData("usage", "acme", "--period", "fortnight")]
    [InlineData("budget", "set", "beta")]
    [InlineData("budget", "set", "beta", "--enforcement", "strict")]
    [InlineData("executions", "acme", "--page-size", "0")]
    [InlineData("budget")]
    [InlineData("frobnicate")]
    public async Task Wrong_command_lines_exit_2(params string[] args)
    {
        var (exitCode, output) = await silo.RunAsync(args);

        Assert.Equal(ExitCodes.Usage, exitCode);
        Assert.False(string.IsNullOrWhiteSpace(output));
    }

    private async Task ChatAsync()
    {
        using var client = silo.Factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = JsonContent.Create(new { model = "openai/gpt-4o-mini", messages = new[] { new { role = "user", content = "hello" } } }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", silo.AcmeKey);
        using var response = await client.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }
}
