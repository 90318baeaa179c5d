using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OrleansTenancy.Runtime.Storage;

namespace OrleansTenancy.Runtime.Tests.Storage;

public sealed class GrainStorageRegistrationTests
{
    [Fact]
    public async Task Providers_resolve_by_name_with_their_own_options()
    {
        var folder = Path.Combine(Path.GetTempPath(), "tenancy-di-" + Guid.NewGuid().ToString("N"));
        var services = new ServiceCollection()
            .AddMemoryGrainStorage("scratch")
            .AddSqliteGrainStorage("durable", o => o.DataSource = Path.Combine(folder, "state.db"))
            .AddPostgresGrainStorage("shared", o => o.ConnectionString = "Host=127.0.0.1;Port=1;Database=none");
        services.AddKeyedSingleton("scratch", new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower });
        await using var provider = services.BuildServiceProvider();

        var scratch = Assert.IsType<MemoryGrainStorage>(provider.GetRequiredKeyedService<IGrainStorage>("scratch"));
        var durable = Assert.IsType<SqliteGrainStorage>(provider.GetRequiredKeyedService<IGrainStorage>("durable"));
        var shared = Assert.IsType<PostgresGrainStorage>(provider.GetRequiredKeyedService<IGrainStorage>("shared"));

        Assert.Equal("scratch", scratch.ProviderName);
        Assert.Same(JsonNamingPolicy.SnakeCaseLower, scratch.SerializerOptions.PropertyNamingPolicy);
        Assert.Equal(Path.Combine(folder, "state.db"), durable.FilePath);
        Assert.Equal("default", shared.ServiceId);
        Assert.Same(durable, provider.GetRequiredKeyedService<IGrainStorage>("durable"));
    }

    [Fact]
    public async Task A_postgres_provider_without_connection_string_fails_naming_the_setting()
    {
        await using var provider = new ServiceCollection().AddPostgresGrainStorage("shared").BuildServiceProvider();

        var error = Assert.Throws<InvalidOperationException>(() => provider.GetRequiredKeyedService<IGrainStorage>("shared"));
        Assert.Contains("PostgresStorageOptions.ConnectionString", error.Message, StringComparison.Ordinal);
    }
}
