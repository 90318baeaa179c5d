using System.Diagnostics;
using System.Text.RegularExpressions;
using OrleansTenancy.TestSupport;

namespace OrleansTenancy.Silo.Tests.Processes;

/// <summary>
/// The client samples as the README runs them: the silo as a process of its own (embedded default, its built-in
/// OpenRouter simulator upstream), then <c>dotnet run --project client/samples/&lt;name&gt;</c> pointed at the silo's
/// gateway. Each sample registers its own tenant, calls an agent and prints usage and remaining budget.
/// </summary>
public sealed partial class SampleProcessTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("sample-process-").FullName;

    public SampleProcessTests() => SiloProcess.CopyShippedTenants(_work);

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [Fact]
    public async Task The_support_agent_sample_registers_its_tenant_calls_its_agent_and_prints_usage_and_remaining_budget()
    {
        var ports = SiloProcess.FreePort;
        var gateway = ports[Array.IndexOf(ports, "--Cluster:GatewayPort") + 1];
        await using var silo = SiloProcess.Start(_work, ports);
        await silo.StartedAsync();
        var slug = "sample-" + Guid.NewGuid().ToString("N")[..8];

        var first = await RunSampleAsync("support-agent", gateway, slug);
        var second = await RunSampleAsync("support-agent", gateway, slug);

        Assert.True(first.ExitCode == 0, first.Output);
        Assert.Contains($"Tenant {slug} (Sample Organization) registered.", first.Output, StringComparison.Ordinal);
        Assert.Contains("SupportAgent (openai/gpt-4o-mini): Simulated reply from openai/gpt-4o-mini", first.Output, StringComparison.Ordinal);
        var usage = Usage().Match(first.Output);
        Assert.True(usage.Success, first.Output);
        var spent = decimal.Parse(usage.Groups["cost"].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(spent > 0m, first.Output);
        Assert.Equal("1", usage.Groups["executions"].Value);
        var remaining = Remaining().Match(first.Output);
        Assert.True(remaining.Success, first.Output);
        Assert.Equal(1m - spent, decimal.Parse(remaining.Groups["left"].Value, System.Globalization.CultureInfo.InvariantCulture));

        // Run again, it links the tenant it registered the first time, and the usage adds up.
        Assert.True(second.ExitCode == 0, second.Output);
        Assert.Contains($"Tenant {slug} (Sample Organization) already registered; linked.", second.Output, StringComparison.Ordinal);
        Assert.Equal("2", Usage().Match(second.Output).Groups["executions"].Value);
    }

    private static async Task<(int ExitCode, string Output)> RunSampleAsync(string name, string gatewayPort, string slug)
    {
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = RepositoryRoot.Find(),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        // Built with the tests (the test project references it), so the run does not build it again.
        foreach (var argument in new[] { "run", "--project", Path.Combine("client", "samples", name), "-c", configuration, "--no-build", "--", slug })
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["TenancyClient__Gateways__0"] = "127.0.0.1:" + gatewayPort;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(SiloProcess.Bound);
        return (process.ExitCode, await output + await error);
    }

    [GeneratedRegex(@"Usage today: \$(?<cost>[0-9.]+) over (?<executions>\d+) execution\(s\), (?<tokens>\d+) tokens\.")]
    private static partial Regex Usage();

    [GeneratedRegex(@"Remaining budget today: \$(?<left>[0-9.]+) of \$1; within budget: True\.")]
    private static partial Regex Remaining();
}
