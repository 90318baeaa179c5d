using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using OrleansTenancy.GrainInterfaces;

namespace OrleansTenancy.Client.Tests.LlmTenants;

/// <summary>
/// The SaveChanges interceptor on a real SQLite database: inserted LLM tenant entities become tenants of the cluster
/// (with the id the database generated), an existing id is linked rather than duplicated, other entities and updates
/// are left alone.
/// </summary>
public sealed class EntityFrameworkTests(LlmTenantCluster cluster) : IClassFixture<LlmTenantCluster>, IDisposable
{
    private readonly SqliteConnection _database = Open();

    private static SqliteConnection Open()
    {
        var connection = new SqliteConnection("Data Source=:memory:");
        connection.Open();
        return connection;
    }

    private AppDb Db()
    {
        var db = new AppDb(new DbContextOptionsBuilder<AppDb>().UseSqlite(_database).UseLlmTenants(cluster.Service).Options);
        db.Database.EnsureCreated();
        return db;
    }

    [Fact]
    public async Task Inserted_tenant_entities_become_tenants_with_the_id_the_database_generated()
    {
        await using var db = Db();
        var organization = new Organization { Slug = $"ef-{Guid.NewGuid():N}"[..20], DisplayName = "Saved Org" };
        var account = new Account();
        db.Add(organization);
        db.Add(account);
        db.Add(new Invoice { Id = $"ef-inv-{Guid.NewGuid():N}"[..20] });

        await db.SaveChangesAsync();

        var directory = cluster.LlmTenants.Client.Directory;
        Assert.True(account.Id > 0);
        Assert.Equal("Saved Org", (await directory.GetAsync(organization.Slug))?.Definition.Name);
        Assert.Equal(5m, (await directory.GetAsync(organization.Slug))?.Definition.Budget?.DailyCapUsd);
        Assert.NotNull(await directory.GetAsync(account.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Assert.DoesNotContain((await directory.ListAsync()).Tenants, t => t.Definition.Id.StartsWith("ef-inv-", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_entity_whose_id_the_cluster_has_is_linked_and_not_duplicated()
    {
        var yaml = cluster.Tenants.AddTenant("daily_cap_usd: 3\n", prefix: "efy");
        var runtime = new Organization { Slug = $"efr-{Guid.NewGuid():N}"[..20], DisplayName = "First" };
        await cluster.LlmTenants.EnsureLlmTenantAsync(runtime);
        var before = (await cluster.LlmTenants.Client.Directory.ListAsync()).Tenants.Count;

        await using (var db = Db())
        {
            db.Add(new Organization { Slug = yaml, DisplayName = "Yaml org" });
            db.Add(new Organization { Slug = runtime.Slug + "x", DisplayName = "Second" });
            await db.SaveChangesAsync();
        }

        await using (var db = Db())
        {
            db.Remove(await db.Organizations.SingleAsync(o => o.Slug == runtime.Slug + "x"));
            await db.SaveChangesAsync();
            db.Add(new Organization { Slug = runtime.Slug, DisplayName = "Again" });
            await db.SaveChangesAsync();
        }

        var after = await cluster.LlmTenants.Client.Directory.ListAsync();
        Assert.Equal(before + 1, after.Tenants.Count); // only runtime.Slug + "x" is new
        Assert.Equal("First", Assert.Single(after.Tenants, t => t.Definition.Id == runtime.Slug).Definition.Name);
        Assert.DoesNotContain(after.Tenants, t => t.Definition.Id == yaml);
        Assert.Equal(3m, (await cluster.LlmTenants.For(new LlmTenantId(yaml)).GetBudgetAsync()).ConfiguredLimits.DailyCapUsd);
    }

    [Fact]
    public async Task An_update_ensures_nothing_and_a_refused_tenant_fails_the_save_naming_the_field()
    {
        await using var db = Db();
        var organization = new Organization { Slug = $"efu-{Guid.NewGuid():N}"[..20], DisplayName = "Kept" };
        db.Add(organization);
        await db.SaveChangesAsync();
        await cluster.LlmTenants.Client.Directory.RemoveAsync(organization.Slug);

        organization.DisplayName = "Changed";
        await db.SaveChangesAsync();
        db.Add(new Organization { Slug = "Not A Slug", DisplayName = "Bad" });
        var refused = await Assert.ThrowsAnyAsync<ArgumentException>(() => db.SaveChangesAsync());

        Assert.Null(await cluster.LlmTenants.Client.Directory.GetAsync(organization.Slug));
        Assert.Contains("id", refused.Message, StringComparison.OrdinalIgnoreCase); // the parameter name does not cross the grain call
    }

    public void Dispose() => _database.Dispose();

    private sealed class AppDb(DbContextOptions<AppDb> options) : DbContext(options)
    {
        public DbSet<Organization> Organizations => Set<Organization>();

        protected override void OnModelCreating(ModelBuilder modelBuilder)
        {
            modelBuilder.Entity<Organization>().HasKey(o => o.Slug);
            modelBuilder.Entity<Account>().HasKey(a => a.Id);
            modelBuilder.Entity<Invoice>().HasKey(i => i.Id);
        }
    }
}
