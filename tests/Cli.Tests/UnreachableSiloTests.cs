using System.Net;
using System.Net.Sockets;
using OrleansTenancy.Cli.Commands;

namespace OrleansTenancy.Cli.Tests;

public sealed class UnreachableSiloTests
{
    [Fact]
    public async Task A_silo_that_is_not_listening_exits_3_naming_the_url_and_how_to_start_one()
    {
        var url = $"http://127.0.0.1:{FreePort()}";
        var (console, output) = SiloFixture.CreateConsole();

        var exitCode = await TenancyCli.RunAsync(["health", "--url", url], new CliEnvironment(console, _ => null));

        Assert.Equal(ExitCodes.Unreachable, exitCode);
        Assert.Contains($"Cannot reach the silo at {url}/", output.ToString());
        Assert.Contains("dotnet run --project silo", output.ToString());
    }

    [Fact]
    public async Task The_url_comes_from_TENANCY_URL_when_no_option_is_given()
    {
        var url = $"http://127.0.0.1:{FreePort()}";
        var (console, output) = SiloFixture.CreateConsole();

        var exitCode = await TenancyCli.RunAsync(["tenants"], new CliEnvironment(console, name => name == "TENANCY_URL" ? url : null));

        Assert.Equal(ExitCodes.Unreachable, exitCode);
        Assert.Contains(url, output.ToString());
    }

    [Fact]
    public async Task A_url_that_is_not_http_exits_2()
    {
        var (console, output) = SiloFixture.CreateConsole();

        var exitCode = await TenancyCli.RunAsync(["health", "--url", "ftp://example"], new CliEnvironment(console, _ => null));

        Assert.Equal(ExitCodes.Usage, exitCode);
        Assert.Contains("not an http(s) URL", output.ToString());
    }

    // A port that was free a moment ago: nothing listens there once the probe socket is closed.
    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
