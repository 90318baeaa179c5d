namespace OrleansTenancy.Silo.Gateway;

/// <summary>Wiring of the OpenAI-compatible gateway.</summary>
public static class GatewayServiceExtensions
{
    /// <summary>Adds the caller authentication the gateway's endpoints share.</summary>
    public static IServiceCollection AddTenancyGateway(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddSingleton<CallerAuthenticator>();
        return services;
    }
}
