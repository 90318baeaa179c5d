using System.Net;
using System.Net.Sockets;
using OrleansTenancy.Cli.Commands;

namespace OrleansTenancy.Cli.Tests;

public sealed class UnreachableSiloTests
{
    [Fact]
    public async Task A_silo_that_is_not_listening_exits_3_naming_the_url_and_how_to_start_one()
    {
        var url = NothingListening();

        var (exitCode, output, errors) = await CliProcess.RunAsync(new Dictionary<string, string>(), "health", "--url", url);

        Assert.Equal(ExitCodes.Unreachable, exitCode);
        Assert.Equal("", output);
        Assert.Contains($"Cannot reach the silo at {url}/", errors);
        Assert.Contains("dotnet run --project silo", errors);
    }

    [Fact]
    public async Task The_url_comes_from_TENANCY_URL_when_no_option_is_given()
    {
        var url = NothingListening();

        var (exitCode, _, errors) = await CliProcess.RunAsync(new Dictionary<string, string> { ["TENANCY_URL"] = url }, "tenants");

        Assert.Equal(ExitCodes.Unreachable, exitCode);
        Assert.Contains(url, errors);
    }

    [Fact]
    public async Task A_url_that_is_not_http_exits_2()
    {
        var (exitCode, output, errors) = await CliProcess.RunAsync(new Dictionary<string, string>(), "health", "--url", "ftp://example");

        Assert.Equal(ExitCodes.Usage, exitCode);
        Assert.Equal("", output);
        Assert.Contains("not an http(s) URL", errors);
    }

    /// <summary>The URL of a loopback port that was free a moment ago: nothing listens there once the probe socket is closed.</summary>
    internal static string NothingListening()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return $"http://127.0.0.1:{((IPEndPoint)probe.LocalEndpoint).Port}";
    }
}
