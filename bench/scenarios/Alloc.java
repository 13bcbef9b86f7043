// Alloc.java: the JVM victim of the memory scenario (bench/scenarios/run.sh).
// java Alloc LIVE_MB OPS: keeps LIVE_MB of 64 KiB arrays alive and replaces
// one per op (steady allocation and old-generation churn, as a cache does);
// prints "ops_per_s=.." once OPS ops are done.
public class Alloc {
    public static void main(String[] args) {
        int liveMb = Integer.parseInt(args[0]);
        long ops = Long.parseLong(args[1]);
        byte[][] ring = new byte[liveMb * 16][];
        long sum = 0;
        long t0 = System.nanoTime();
        for (long i = 0; i < ops; i++) {
            byte[] b = new byte[65536];
            java.util.Arrays.fill(b, (byte) i);
            ring[(int) (i % ring.length)] = b;
            sum += b[(int) (i & 65535)];
        }
        double s = (System.nanoTime() - t0) / 1e9;
        System.out.printf("ops_per_s=%.1f checksum=%d%n", ops / s, sum & 1);
    }
}
