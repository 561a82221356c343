// Administrator passwords are stored as argon2id hashes (@node-rs/argon2 ships
// prebuilt binaries, so it installs without build or download steps).
import { hash, verify } from "@node-rs/argon2";

export function hashPassword(password: string): Promise<string> {
  return hash(password);
}

export function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  return verify(passwordHash, password).catch(() => false);
}
