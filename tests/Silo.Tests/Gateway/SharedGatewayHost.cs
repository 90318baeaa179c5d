namespace OrleansTenancy.Silo.Tests.Gateway;

/// <summary>
/// One silo shared by the tests of a class (<c>IClassFixture</c>): for tests that store nothing, or only under names of
/// their own, so each one does not pay for starting a silo.
/// </summary>
public sealed class SharedGatewayHost : IAsyncLifetime
{
    public GatewayHost Host { get; private set; } = null!;

    public async Task InitializeAsync() => Host = await GatewayHost.StartAsync();

    public async Task DisposeAsync() => await Host.DisposeAsync();
}
