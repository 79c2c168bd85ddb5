/**
 * How an artefact was made: the tool's identity, input hashes and the JSON the record is written in. Every
 * stage depends on it; it depends on nothing of the pipeline but the model.
 */
package ai.onnxhap.provenance;
