using OrleansTenancy.Sql;

namespace OrleansTenancy.Storage.Tests.Sql;

public sealed class SqliteWriteGateTests
{
    private static string NewPath() => Path.Combine(Path.GetTempPath(), $"gate-{Guid.NewGuid():N}", "tenancy.db");

    [Fact]
    public async Task One_writer_at_a_time_per_file_whatever_the_spelling_of_its_path()
    {
        var path = NewPath();
        var spelledOtherwise = Path.Combine(Path.GetDirectoryName(path)!, ".", "tenancy.db");
        var first = await SqliteWriteGate.EnterAsync(path, CancellationToken.None);

        var second = SqliteWriteGate.EnterAsync(spelledOtherwise, CancellationToken.None).AsTask();
        Assert.False(second.IsCompleted);

        first.Dispose();
        (await second.WaitAsync(TimeSpan.FromSeconds(10))).Dispose();
    }

    [Fact]
    public async Task Writers_of_different_files_do_not_wait_for_each_other()
    {
        using var first = await SqliteWriteGate.EnterAsync(NewPath(), CancellationToken.None);

        var other = SqliteWriteGate.EnterAsync(NewPath(), CancellationToken.None);

        Assert.True(other.IsCompleted);
        (await other).Dispose();
    }

    [Fact]
    public async Task Waiting_writers_enter_in_arrival_order()
    {
        var path = NewPath();
        var held = await SqliteWriteGate.EnterAsync(path, CancellationToken.None);
        var order = new List<int>();
        var waiting = Enumerable.Range(0, 5).Select(async i =>
        {
            using var turn = await SqliteWriteGate.EnterAsync(path, CancellationToken.None);
            lock (order)
            {
                order.Add(i);
            }
        }).ToArray();

        held.Dispose();
        await Task.WhenAll(waiting).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal([0, 1, 2, 3, 4], order);
    }
}
