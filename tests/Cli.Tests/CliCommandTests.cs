using System.Text.Json;
using OrleansTenancy.Cli.Commands;
using OrleansTenancy.Cli.Rendering;

namespace OrleansTenancy.Cli.Tests;

/// <summary>Every command of the built <c>tenancy</c>, run from a script against a real silo.</summary>
[Collection(SiloCollection.Name)]
public sealed class CliCommandTests(SiloFixture silo)
{
    [Fact]
    public async Task Tenants_lists_workspaces_guilds_limits_and_the_broken_tenants_load_error()
    {
        var (exitCode, output, errors) = await silo.RunAsync("tenants");

        Assert.Equal(ExitCodes.Ok, exitCode);
        Assert.Equal("", errors);
        Assert.Contains("Acme Corp", output);
        Assert.Contains("main (1098765432109876543)", output);
        Assert.Contains("daily $10.00", Assert.Single(Lines(output), l => l.Contains("Acme Corp", StringComparison.Ordinal)));
        Assert.Contains("monthly $100.00", output);
        var errorLine = Assert.Single(Lines(output), l => l.Contains("broken", StringComparison.Ordinal) && l.Contains("tenant.yaml:", StringComparison.Ordinal));
        Assert.Contains(": error: ", errorLine);
    }

    [Fact]
    public async Task Budget_set_shows_the_override_in_budget_show_and_clear_removes_it()
    {
        var set = await silo.RunAsync("budget", "set", "beta", "--daily-cap-usd", "7", "--monthly-cap-usd", "70", "--enforcement", "soft");
        Assert.Equal(ExitCodes.Ok, set.ExitCode);

        var (exitCode, output, _) = await silo.RunAsync("budget", "show", "beta");

        Assert.Equal(ExitCodes.Ok, exitCode);
        Assert.Contains("Override: daily $7.00, monthly $70.00, enforcement soft", output);
        Assert.Contains("enforcement soft", Lines(output)[0]);
        var dayRow = Assert.Single(Lines(output), l => l.Contains("cost_usd", StringComparison.Ordinal) && l.Contains(" day ", StringComparison.Ordinal));
        Assert.Contains("$7.00", dayRow);
        Assert.Contains("0.0%", dayRow);

        var cleared = await silo.RunAsync("budget", "clear", "beta");
        Assert.Equal(ExitCodes.Ok, cleared.ExitCode);
        Assert.Contains("Override: none", cleared.Stdout);
        Assert.Contains("enforcement hard", Lines(cleared.Stdout)[0]);
    }

    [Fact]
    public async Task Budget_set_changes_the_limits_given_and_keeps_the_overrides_others_unless_told_to_replace()
    {
        Assert.Equal(ExitCodes.Ok, (await silo.RunAsync("budget", "set", "gamma", "--daily-cap-usd", "7", "--enforcement", "soft", "--alert-thresholds", "50", "90", "--max-per-request", "0.5")).ExitCode);

        var second = await silo.RunAsync("budget", "set", "gamma", "--monthly-cap-usd", "70", "--json");

        Assert.Equal(ExitCodes.Ok, second.ExitCode);
        var kept = JsonDocument.Parse(second.Stdout).RootElement.GetProperty("override");
        Assert.Equal(7m, kept.GetProperty("daily_cap_usd").GetDecimal());
        Assert.Equal(70m, kept.GetProperty("monthly_cap_usd").GetDecimal());
        Assert.Equal("soft", kept.GetProperty("enforcement").GetString());
        Assert.Equal([50m, 90m], kept.GetProperty("alert_thresholds").EnumerateArray().Select(t => t.GetDecimal()));
        Assert.Equal(0.5m, kept.GetProperty("max_per_request").GetDecimal());

        var replaced = await silo.RunAsync("budget", "set", "gamma", "--daily-cap-usd", "8", "--replace", "--json");

        Assert.Equal(ExitCodes.Ok, replaced.ExitCode);
        var only = JsonDocument.Parse(replaced.Stdout).RootElement.GetProperty("override");
        Assert.Equal(["daily_cap_usd"], only.EnumerateObject().Select(p => p.Name));
        Assert.Equal(8m, only.GetProperty("daily_cap_usd").GetDecimal());
        Assert.Equal(ExitCodes.Ok, (await silo.RunAsync("budget", "clear", "gamma")).ExitCode);
    }

    [Fact]
    public async Task Budget_set_with_a_monthly_cap_below_the_daily_cap_exits_1_with_the_silos_reason_on_stderr()
    {
        var (exitCode, output, errors) = await silo.RunAsync("budget", "set", "beta", "--daily-cap-usd", "20", "--monthly-cap-usd", "5");

        Assert.Equal(ExitCodes.Refused, exitCode);
        Assert.Equal("", output);
        Assert.Contains("Refused (400): Invalid budget limits", errors);
        Assert.Contains("monthly_cap_usd (5) must not be below daily_cap_usd (20)", errors);
        Assert.Contains("Override: none", (await silo.RunAsync("budget", "show", "beta")).Stdout);
    }

    [Fact]
    public async Task Usage_after_a_chat_call_shows_its_model_workspace_and_cost()
    {
        await silo.ChatAsync();
        var json = await silo.RunAsync("usage", "acme", "--period", "this-month", "--json");
        Assert.Equal(ExitCodes.Ok, json.ExitCode);
        var totals = JsonDocument.Parse(json.Stdout).RootElement.GetProperty("totals");
        var cost = totals.GetProperty("cost_usd").GetDecimal();
        Assert.True(cost > 0m, $"expected a settled cost, got {cost}");

        var (exitCode, output, _) = await silo.RunAsync("usage", "acme", "--period", "this-month");

        Assert.Equal(ExitCodes.Ok, exitCode);
        Assert.Contains("By model", output);
        Assert.Contains(AdminRenderer.Usd(cost), Assert.Single(Lines(output), l => l.Contains("openai/gpt-4o-mini", StringComparison.Ordinal)));
        Assert.Contains(AdminRenderer.Usd(cost), Assert.Single(Lines(output), l => l.Contains(" main ", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Usage_this_month_lists_every_day_from_the_first_to_today_and_none_after()
    {
        var before = DateOnly.FromDateTime(DateTime.UtcNow);
        var json = await silo.RunAsync("usage", "acme", "--period", "this-month", "--json");
        var table = await silo.RunAsync("usage", "acme", "--period", "this-month");
        var after = DateOnly.FromDateTime(DateTime.UtcNow);

        Assert.Equal(ExitCodes.Ok, json.ExitCode);
        var report = JsonDocument.Parse(json.Stdout).RootElement;
        var days = report.GetProperty("by_day").EnumerateArray().Select(d => DateOnly.Parse(d.GetProperty("date").GetString()!, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        var last = DateOnly.Parse(report.GetProperty("window").GetProperty("last_date").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(last, before, after);
        Assert.Equal(last, days[^1]);
        Assert.Equal(1, days[0].Day);
        Assert.Equal(last.Day, days.Count);

        var dated = Lines(table.Stdout).Select(l => System.Text.RegularExpressions.Regex.Match(l, @"\b(\d{4}-\d{2}-\d{2})\b")).Where(m => m.Success)
            .Select(m => DateOnly.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.NotEmpty(dated);
        Assert.All(dated, d => Assert.True(d <= after, $"the table lists {d:yyyy-MM-dd}, after today ({after:yyyy-MM-dd}):\n{table.Stdout}"));
    }

    [Fact]
    public async Task Executions_all_follows_cursors_to_every_row()
    {
        await silo.ChatAsync();
        await silo.ChatAsync();
        var usage = await silo.RunAsync("usage", "acme", "--period", "this-month", "--json");
        var requests = JsonDocument.Parse(usage.Stdout).RootElement.GetProperty("totals").GetProperty("requests").GetInt64();

        var (exitCode, output, errors) = await silo.RunAsync("executions", "acme", "--page-size", "1", "--all", "--json");

        Assert.Equal(ExitCodes.Ok, exitCode);
        Assert.Equal("", errors);
        var items = JsonDocument.Parse(output).RootElement.GetProperty("items");
        Assert.True(requests >= 2);
        Assert.Equal(requests, items.GetArrayLength());
        Assert.Equal(requests, items.EnumerateArray().Select(i => i.GetProperty("request_id").GetString()).Distinct().LongCount());

        var onePage = await silo.RunAsync("executions", "acme", "--page-size", "1");
        Assert.Contains("1 execution(s); more with --cursor", onePage.Stdout);
    }

    [Fact]
    public async Task Executions_show_a_refusal_with_its_reason()
    {
        using (var client = new HttpClient { BaseAddress = silo.Address })
        using (var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = System.Net.Http.Json.JsonContent.Create(new { model = "openai/gpt-4o", messages = new[] { new { role = "user", content = "hello" } } }),
        })
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", silo.AcmeKey);
            using var response = await client.SendAsync(request);
            Assert.Equal(System.Net.HttpStatusCode.Forbidden, response.StatusCode);
        }

        var (exitCode, output, _) = await silo.RunAsync("executions", "acme", "--page-size", "200");

        Assert.Equal(ExitCodes.Ok, exitCode);
        Assert.Contains("forbidden (model_not_allowed)", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reconcile_reload_and_health_succeed()
    {
        Assert.Contains("acme: every counter matched the ledger.", (await silo.RunAsync("reconcile", "acme")).Stdout);
        Assert.Contains("Acme Corp", (await silo.RunAsync("reload")).Stdout);
        var health = await silo.RunAsync("health");
        Assert.Equal(ExitCodes.Ok, health.ExitCode);
        Assert.StartsWith($"ok: {silo.Address}", health.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cluster_lists_the_silo_with_its_status_and_registry_and_says_the_silos_agree()
    {
        var (exitCode, output, errors) = await silo.RunAsync("cluster");
        var json = await silo.RunAsync("cluster", "--json");

        Assert.Equal(ExitCodes.Ok, exitCode);
        Assert.Equal("", errors);
        var report = JsonDocument.Parse(json.Stdout).RootElement;
        var hash = report.GetProperty("registry_hash").GetString()!;
        var row = Assert.Single(Lines(output), l => l.Contains("(this silo)", StringComparison.Ordinal));
        Assert.Contains(" active ", row, StringComparison.Ordinal);
        Assert.Contains(hash, row, StringComparison.Ordinal);
        Assert.Contains(silo.Address.ToString().TrimEnd('/'), row, StringComparison.Ordinal);
        Assert.DoesNotContain("differs", row, StringComparison.Ordinal);
        Assert.Contains($"The 1 silo(s) that answered serve the same tenants (registry {hash}).", output, StringComparison.Ordinal);
        Assert.True(report.GetProperty("registries_agree").GetBoolean());
    }

    [Theory]
    [InlineData("tenants")]
    [InlineData("budget", "show", "acme")]
    [InlineData("usage", "acme")]
    [InlineData("usage", "acme", "--from", "2026-01-01", "--to", "2026-01-03")]
    [InlineData("executions", "acme")]
    [InlineData("health")]
    [InlineData("cluster")]
    public async Task Every_read_command_prints_the_admin_apis_snake_case_json_alone_on_stdout(params string[] args)
    {
        var (exitCode, output, errors) = await silo.RunAsync([.. args, "--json"]);

        Assert.Equal(ExitCodes.Ok, exitCode);
        Assert.Equal("", errors);
        var names = new List<string>();
        Collect(JsonDocument.Parse(output).RootElement, names);
        Assert.NotEmpty(names);
        Assert.All(names, n => Assert.Matches("^[a-z][a-z0-9_]*$", n));

        static void Collect(JsonElement element, List<string> names)
        {
            if (element.ValueKind == JsonValueKind.Object)
            {
                foreach (var property in element.EnumerateObject())
                {
                    names.Add(property.Name);
                    Collect(property.Value, names);
                }
            }
            else if (element.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in element.EnumerateArray())
                {
                    Collect(item, names);
                }
            }
        }
    }

    [Fact]
    public async Task Each_failure_has_its_own_exit_code_and_its_message_on_stderr_only()
    {
        var notFound = await silo.RunAsync("budget", "show", "nobody");
        var wrongKey = await silo.RunAsync("tenants", "--admin-key", "not-the-key");
        var refused = await silo.RunAsync("executions", "acme", "--cursor", "not-a-cursor");
        var usage = await silo.RunAsync("usage", "acme", "--period", "fortnight");
        var unreachable = await CliProcess.RunAsync(new Dictionary<string, string> { ["TENANCY_URL"] = UnreachableSiloTests.NothingListening() }, "health");

        Assert.Equal(
            [ExitCodes.NotFound, ExitCodes.Unauthorized, ExitCodes.Refused, ExitCodes.Usage, ExitCodes.Unreachable],
            new[] { notFound, wrongKey, refused, usage, unreachable }.Select(r => r.ExitCode));
        Assert.All(new[] { notFound, wrongKey, refused, usage, unreachable }, r =>
        {
            Assert.Equal("", r.Stdout);
            Assert.False(string.IsNullOrWhiteSpace(r.Stderr));
        });
        Assert.Contains("Unknown tenant", notFound.Stderr);
        Assert.Contains("'nobody'", notFound.Stderr);
        Assert.Contains("--admin-key", wrongKey.Stderr);
        Assert.Contains("Invalid cursor", refused.Stderr);
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
    [InlineData("budget", "acme")]
    [InlineData("frobnicate")]
    [InlineData]
    public async Task Wrong_command_lines_exit_2_with_the_reason_on_stderr(params string[] args)
    {
        var (exitCode, output, errors) = await silo.RunAsync(args);

        Assert.Equal(ExitCodes.Usage, exitCode);
        Assert.Equal("", output);
        Assert.False(string.IsNullOrWhiteSpace(errors));
    }

    private static string[] Lines(string text) => text.Split('\n');
}
