/**
 * Reports for people and machines: model summaries and side-by-side validation, as text tables and JSON.
 */
package ai.onnxhap.report;
