/** Where receipt images are kept until their retention ends: a local folder, or an S3-compatible bucket. */
export interface ImageStore {
  put(key: string, bytes: Buffer, contentType: string): Promise<void>;
  /** The image, or null once deleted. */
  get(key: string): Promise<Buffer | null>;
  /** Deleting what is already gone is no error: retention may run twice. */
  delete(key: string): Promise<void>;
}
