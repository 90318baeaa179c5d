using System.Net;

namespace OrleansTenancy.Silo.Tests.Processes;

/// <summary>What a new user runs: <c>--help</c>, a second silo by mistake, a silo killed hard, a stop by the service manager.</summary>
public sealed class SiloCommandLineProcessTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("silo-cli-process-").FullName;

    public SiloCommandLineProcessTests()
    {
        Directory.CreateDirectory(Path.Combine(_root, "tenants", "default"));
        File.WriteAllText(Path.Combine(_root, "tenants", "default", "tenant.yaml"), "workspaces:\n  main:\n");
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    public async Task Help_prints_the_usage_and_exits_0_without_starting_anything(string argument)
    {
        await using var silo = SiloProcess.Start(_root, [argument]);

        var exitCode = await silo.ExitedAsync();

        Assert.Equal(0, exitCode);
        foreach (var expected in new[] { "Usage:", "validate-tenants <dir>", "--tenants <dir>", "--urls <url>", "ENABLE_TENANCY_STRICT", "TENANCY__ADMINKEY", "OPENROUTER_API_KEY" })
        {
            Assert.Contains(expected, silo.Output, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("Now listening", silo.Output, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_root, "data")), "--help created the data directory.");
    }

    [Fact]
    public async Task Validate_tenants_prints_problems_and_its_verdict_on_stdout_and_exits_1_on_errors()
    {
        Directory.CreateDirectory(Path.Combine(_root, "tenants", "broken"));
        File.WriteAllText(Path.Combine(_root, "tenants", "broken", "tenant.yaml"), "workspaces: [1, 2\n");

        await using var broken = SiloProcess.Start(_root, ["validate-tenants", "tenants"]);
        var exitCode = await broken.ExitedAsync();

        Assert.Equal(1, exitCode);
        Assert.Contains(Path.Combine("tenants", "broken", "tenant.yaml") + ":2: YAML syntax error", broken.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("tenants: 1 error(s), 0 warning(s).", broken.StandardOutput, StringComparison.Ordinal);
        Assert.Equal(string.Empty, broken.StandardError);
    }

    [Fact]
    public async Task A_second_silo_on_the_same_data_directory_is_refused_and_a_killed_silo_leaves_no_lock_behind()
    {
        await using var first = SiloProcess.Start(_root, SiloProcess.FreePort);
        var address = await first.StartedAsync();
        Assert.Contains("Loaded 1 tenant(s), none skipped, from", first.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("()", first.Output, StringComparison.Ordinal);

        await using (var second = SiloProcess.Start(_root, SiloProcess.FreePort))
        {
            Assert.Equal(1, await second.ExitedAsync());
            Assert.Contains("Another silo is using the data directory", second.Output, StringComparison.Ordinal);
            Assert.Contains(Path.Combine(_root, "data"), second.Output, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", second.Output, StringComparison.Ordinal); // a sentence, not a stack trace
        }

        using (var client = new HttpClient { BaseAddress = address })
        {
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri("/healthz", UriKind.Relative))).StatusCode);
        }

        first.Kill();
        await first.ExitedAsync();
        await using var third = SiloProcess.Start(_root, SiloProcess.FreePort);
        await third.StartedAsync();
    }

    [Fact]
    public async Task A_settlements_folder_set_by_environment_is_used_and_locked_against_a_silo_naming_it_on_its_command_line()
    {
        var journal = Path.Combine(_root, "journal");
        await using var first = SiloProcess.Start(_root, SiloProcess.FreePort, new Dictionary<string, string> { ["TENANCY__SETTLEMENTSDIRECTORY"] = journal });
        await first.StartedAsync();
        Assert.Contains($"in the journal at {journal}", first.Output, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(journal, "silo.lock")));

        // Its own data directory, the same settlements folder: refused, naming that folder.
        await using var second = SiloProcess.Start(_root, [.. SiloProcess.FreePort, "--Tenancy:DataDirectory", Path.Combine(_root, "data2"), "--Tenancy:SettlementsDirectory", journal]);
        Assert.Equal(1, await second.ExitedAsync());
        Assert.Contains($"Another silo is using the settlements folder '{journal}'", second.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_a_fifo_in_the_tenants_folder_the_start_log_names_it_skipped_reloads_answer_and_sigterm_stops_the_silo()
    {
        Directory.CreateDirectory(Path.Combine(_root, "tenants", "pipe"));
        Hosting.TenantFolderHostTests.MakeFifo(Path.Combine(_root, "tenants", "pipe", "tenant.yaml"));
        await using var silo = SiloProcess.Start(_root, SiloProcess.FreePort);
        using var client = new HttpClient { BaseAddress = await silo.StartedAsync(), Timeout = SiloProcess.Bound };

        using var reload = await client.PostAsync(new Uri("/admin/tenants/reload", UriKind.Relative), null);
        silo.Terminate();
        var exitCode = await silo.ExitedAsync();

        Assert.Contains("Loaded 1 tenant(s), skipped 1 (pipe), from", silo.Output, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, reload.StatusCode);
        Assert.Contains("not a regular file", await reload.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(0, exitCode);
    }
}
